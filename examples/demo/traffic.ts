import { randomUUID } from 'node:crypto';

/**
 * A load of API users for the media-worker: they submit jobs and follow them to the end, by
 * polling `GET /api/jobs/:id` or by reading `GET /api/jobs/:id/events`, and now and then ask
 * for a job that does not exist or send a bad body. Real HTTP requests, nothing else.
 */

const TERMINAL = new Set(['completed', 'failed', 'cancelled']);

export interface TrafficOptions {
  /** Users working at once. Default 6. */
  users?: number;
  /** Pause between one user's jobs, ms. Default 200. */
  thinkMs?: number;
  /** Poll interval while following a job, ms. Default 150. */
  pollMs?: number;
}

export interface TrafficStats {
  submitted: number;
  finished: Record<string, number>;
  requests: number;
}

/** Waits `ms`, or less if `signal` aborts. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

export class Traffic {
  readonly stats: TrafficStats = { submitted: 0, finished: {}, requests: 0 };
  private readonly users: number;
  private readonly thinkMs: number;
  private readonly pollMs: number;
  private readonly abort = new AbortController();
  private stopping = false;
  private running: Promise<void>[] = [];
  private seq = 0;

  constructor(
    private readonly baseUrl: string,
    { users = 6, thinkMs = 200, pollMs = 150 }: TrafficOptions = {},
  ) {
    this.users = users;
    this.thinkMs = thinkMs;
    this.pollMs = pollMs;
  }

  /** Runs exactly `jobs` jobs, `users` at a time, and resolves when all have finished. */
  async batch(jobs: number): Promise<TrafficStats> {
    const users = Array.from({ length: Math.min(this.users, jobs) }, async () => {
      while (this.seq < jobs) await this.oneJob(this.seq++);
    });
    await Promise.all(users);
    return this.stats;
  }

  /** Keeps the users busy until `stop()`. */
  start(): this {
    this.running = Array.from({ length: this.users }, async () => {
      while (!this.stopping) {
        await this.oneJob(this.seq++).catch(() => {});
        await sleep(this.thinkMs, this.abort.signal);
      }
    });
    return this;
  }

  /**
   * Stops starting jobs. With `drain` (default) each user follows its last job to its end and
   * every request completes; without, requests in flight are aborted.
   */
  async stop({ drain = true }: { drain?: boolean } = {}): Promise<void> {
    this.stopping = true;
    if (!drain) this.abort.abort();
    await Promise.allSettled(this.running);
  }

  private async oneJob(n: number): Promise<void> {
    if (n % 10 === 3) await this.request(`/api/jobs/${randomUUID()}`); // 404
    if (n % 15 === 7) await this.request('/api/jobs', { method: 'POST', body: '{"url":' }); // 400
    if (n % 8 === 5) await this.request('/api/jobs');

    const res = await this.request('/api/jobs', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-correlation-id': `demo-${n}` },
      body: JSON.stringify({ url: `https://videos.example/watch/${n}`, language: 'en' }),
    });
    if (res.status !== 201) return;
    this.stats.submitted++;
    const { id } = (await res.json()) as { id: string };
    const status = n % 4 === 0 ? await this.follow(id) : await this.poll(id);
    if (status !== undefined) this.stats.finished[status] = (this.stats.finished[status] ?? 0) + 1;
  }

  /** Polls the job until it has finished; its final status. */
  private async poll(id: string): Promise<string | undefined> {
    for (;;) {
      const res = await this.request(`/api/jobs/${id}`);
      const { status } = (await res.json()) as { status: string };
      if (TERMINAL.has(status)) return status;
      if (this.abort.signal.aborted) return undefined;
      await sleep(this.pollMs, this.abort.signal);
    }
  }

  /** Reads the job's server-sent events until the server ends the stream; its final status. */
  private async follow(id: string): Promise<string | undefined> {
    const res = await this.request(`/api/jobs/${id}/events`, {
      headers: { accept: 'text/event-stream' },
    });
    let status: string | undefined;
    let text = '';
    const decoder = new TextDecoder();
    for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
      text += decoder.decode(chunk, { stream: true });
      let end: number;
      while ((end = text.indexOf('\n\n')) >= 0) {
        const event = text.slice(0, end);
        text = text.slice(end + 2);
        const data = /^data: (.*)$/m.exec(event)?.[1];
        if (event.startsWith('event: status') && data !== undefined) {
          status = (JSON.parse(data) as { status: string }).status;
        }
      }
    }
    return status !== undefined && TERMINAL.has(status) ? status : undefined;
  }

  private async request(path: string, init: RequestInit = {}): Promise<Response> {
    this.stats.requests++;
    // A signal of its own per request: fetch keeps its abort listener until the response is
    // collected, so one shared signal would gather thousands of listeners and warn of a leak.
    const signal = AbortSignal.any([this.abort.signal]);
    const res = await fetch(`${this.baseUrl}${path}`, { ...init, signal });
    if (res.status >= 400) await res.arrayBuffer(); // read it, so the connection is reused
    return res;
  }
}
