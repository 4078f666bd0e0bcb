import test from 'ava';
import type { Snapshot } from 'obsweave';
import { NO_FAULTS, startMediaWorker, type Job } from '../../examples/media-worker';
import { post, scrape } from './helpers';

const TERMINAL = ['completed', 'failed', 'cancelled'];

/** Counter and histogram-count increases between two snapshots, by series key. */
function delta(before: Snapshot, after: Snapshot): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(after.counters)) {
    const d = v - (before.counters[k] ?? 0);
    if (d !== 0) out[k] = d;
  }
  for (const [k, h] of Object.entries(after.histograms)) {
    const d = h.count - (before.histograms[k]?.count ?? 0);
    if (d !== 0) out[`${k}#count`] = d;
  }
  return out;
}

async function finished(url: string, id: string): Promise<Job> {
  for (;;) {
    const job = (await (await fetch(`${url}/api/jobs/${id}`)).json()) as Job;
    if (TERMINAL.includes(job.status)) return job;
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Reads a job's event stream to its end: the events received, by name. */
async function follow(url: string, id: string): Promise<string[]> {
  const text = await (await fetch(`${url}/api/jobs/${id}/events`)).text();
  return [...text.matchAll(/^event: (.+)$/gm)].map((m) => m[1]);
}

// Serial: both tests record into the process-wide registry, compared before and after.
test.serial(
  'media-worker: jobs, stages, calls and requests counted; ids reach the worker',
  async (t) => {
    const app = await startMediaWorker({
      latencyScale: 0.1,
      faults: NO_FAULTS,
      leaseMs: 10_000, // long: a busy machine's pauses must not look like a lost worker
    });
    t.teardown(() => app.close());
    const before = await scrape(app.url);

    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await post(
        `${app.url}/api/jobs`,
        { url: `https://videos.example/watch/${i}` },
        { 'x-correlation-id': `req-${i}` },
      );
      t.is(res.status, 201);
      ids.push(((await res.json()) as Job).id);
    }
    const events = await follow(app.url, ids[0]);
    const jobs = await Promise.all(ids.map((id) => finished(app.url, id)));
    t.is((await fetch(`${app.url}/api/jobs/00000000-0000-0000-0000-000000000000`)).status, 404);
    t.is((await post(`${app.url}/api/jobs`, '{"url":')).status, 400);
    t.is((await fetch(`${app.url}/api/nothing-here`)).status, 404);

    // The request's correlation id travelled to the worker and into the storage client.
    t.deepEqual(
      jobs.map((j) => [j.status, j.result?.correlationId]),
      ids.map((_, i) => ['completed', `req-${i}`]),
    );
    t.is(events[events.length - 1], 'status');

    const after = await scrape(app.url);
    const d = delta(before, after);
    const polls = d['http.requests_total|method=GET,route=/api/jobs/:id,code_class=2xx'];
    t.true(polls >= 5);
    t.like(d, {
      'http.requests_total|method=POST,route=/api/jobs,code_class=2xx': 5,
      'http.requests_total|method=POST,route=/api/jobs,code_class=4xx': 1,
      'http.requests_total|method=GET,route=/api/jobs/:id,code_class=4xx': 1,
      'http.requests_total|method=GET,route=/api/jobs/:id/events,code_class=2xx': 1,
      'http.requests_total|method=GET,route=__unmatched__,code_class=4xx': 1,
      'http.errors_total|route=/api/jobs/:id,code=404': 1,
      'http.errors_total|route=/api/jobs,code=400': 1,
      'jobs.created_total': 5,
      'jobs.status_transition_total|from=queued,to=running': 5,
      'jobs.status_transition_total|from=running,to=completed': 5,
      'jobs.total_latency_ms#count': 5,
      'worker.stage_latency_ms|stage=download#count': 5,
      'worker.stage_latency_ms|stage=probe#count': 5,
      'worker.stage_latency_ms|stage=transcribe#count': 5,
      'worker.stage_latency_ms|stage=upload#count': 5,
      'external.calls_total|service=yt-dlp,op=download,outcome=success': 5,
      'external.calls_total|service=ffprobe,op=probe,outcome=success': 5,
      'external.calls_total|service=asr,op=transcribe,outcome=success': 5,
      'external.calls_total|service=storage,op=put,outcome=success': 5,
    });
    const sent = Object.entries(d)
      .filter(([k]) => k.startsWith('sse.events_total|stream=jobs,'))
      .reduce((n, [, v]) => n + v, 0);
    t.is(sent, events.length);
    t.is(after.gauges['sse.clients|stream=jobs'], 0);
    t.is(after.gauges['worker.inflight_jobs'], 0);
    t.true(after.gauges['proc.memory_rss_mb'] > 0);
  },
);

test.serial(
  'media-worker: a lost job is recovered when its lease expires; failed writes are counted',
  async (t) => {
    const app = await startMediaWorker({
      latencyScale: 0.1,
      faults: { ...NO_FAULTS, abandon: 1, persistFail: 1 },
      leaseMs: 600,
    });
    t.teardown(() => app.close());
    const before = await scrape(app.url);

    const res = await post(`${app.url}/api/jobs`, { url: 'https://videos.example/watch/lost' });
    const job = await finished(app.url, ((await res.json()) as Job).id);
    t.is(job.status, 'completed');
    t.is(job.attempts, 2);

    t.like(delta(before, await scrape(app.url)), {
      'worker.recovered_jobs_total|reason=lease_expired': 1,
      'jobs.status_transition_total|from=running,to=queued': 1,
      'jobs.status_transition_total|from=queued,to=running': 2,
      'worker.stage_latency_ms|stage=download#count': 2,
      'worker.stage_latency_ms|stage=upload#count': 1,
      // Every event failed to persist: created, 4 transitions, recovered, 10 stage events.
      'events.persist_failures_total': 16,
    });
  },
);
