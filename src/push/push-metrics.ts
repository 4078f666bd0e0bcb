import { metrics, type MetricsRegistry } from '../core/metrics-registry';
import { cut, redact, redactHead } from '../redact/redact';
import { PROMETHEUS_CONTENT_TYPE } from '../export/prometheus';
import { PROTOBUF_CONTENT_TYPE, toProtobuf } from '../export/protobuf';
import { writers } from '../core/writers';
import type { FamilyView } from '../core/family-view';
import { checkGroup, groupPath, type GroupingKey } from './grouping-key';
import { checkHeaders } from './headers';
import { describeValue } from '../core/describe';

/**
 * `put` replaces the whole group with what is pushed; `post` replaces only the metric
 * families that are pushed and keeps the group's others; `delete` removes the group.
 */
export type PushMethod = 'put' | 'post' | 'delete';

export interface PushOptions {
  /** The Pushgateway's base URL (`http://pushgateway:9091`); userinfo becomes Basic auth. */
  url: string | URL;
  /** The `job` label of the group. */
  job: string;
  /** More labels that name the group, as `{ instance: 'nightly-2' }`. */
  groupingKey?: GroupingKey;
  /** Default `put`. */
  method?: PushMethod;
  /** Bounds each try, the response included. Default 5000. */
  timeoutMs?: number;
  /** Sent with every request (an `Authorization` header, say); never logged. */
  headers?: Readonly<Record<string, string>>;
  /** Tries after the first one fails with a network error, a timeout, 408, 429 or a 5xx. Default 3. */
  retries?: number;
  /** Wait before the first retry, doubled for each next one (with jitter). Default 250. */
  backoffMs?: number;
}

/** How a push ended. A push never rejects: look at `ok`. */
export interface PushResult {
  ok: boolean;
  /** The last HTTP status, when a response came. */
  status?: number;
  /** Tries made, the first included. */
  attempts: number;
  /** Why it failed, redacted. */
  error?: string;
}

/** Options checked once; what each push needs. */
export interface PushPlan {
  readonly method: 'PUT' | 'POST' | 'DELETE';
  readonly target: string;
  /** The URL as it may be logged: no userinfo, query or fragment. */
  readonly shown: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
  readonly retries: number;
  readonly backoffMs: number;
}

const METHODS = { put: 'PUT', post: 'POST', delete: 'DELETE' } as const;

/** Throws an `obsweave:` error on options that can never work: met when the job is set up. */
export function planPush(opts: PushOptions): PushPlan {
  if (opts === null || typeof opts !== 'object') {
    throw new TypeError('obsweave: push: options must be an object with url and job');
  }
  let url: URL;
  try {
    url = new URL(String(opts.url));
  } catch {
    throw new TypeError(`obsweave: push: url is not a valid URL: ${redact(String(opts.url))}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TypeError(`obsweave: push: url must be http or https, got ${url.protocol}`);
  }
  checkGroup(opts.job, opts.groupingKey);
  const method = METHODS[(opts.method ?? 'put') as PushMethod];
  if (method === undefined) {
    throw new TypeError(
      `obsweave: push: method must be 'put', 'post' or 'delete', got ${describeValue(opts.method)}`,
    );
  }
  const timeoutMs = positive('timeoutMs', opts.timeoutMs, 5000);
  const backoffMs = positive('backoffMs', opts.backoffMs, 250);
  const retries = opts.retries ?? 3;
  if (!Number.isInteger(retries) || retries < 0) {
    throw new TypeError(`obsweave: push: retries must be an integer >= 0, got ${String(retries)}`);
  }
  const headers = checkHeaders(opts.headers);
  // fetch refuses a URL with credentials: they travel as Basic auth, unless already given.
  if (url.username !== '' || url.password !== '') {
    const has = Object.keys(headers).some((h) => h.toLowerCase() === 'authorization');
    const user = userinfo(url.username);
    const pass = userinfo(url.password);
    if (!has) headers.authorization = `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
    url.username = '';
    url.password = '';
  }
  url.pathname = url.pathname.replace(/\/+$/, '') + groupPath(opts.job, opts.groupingKey);
  return {
    method,
    target: url.href,
    shown: redact(url.href),
    headers,
    timeoutMs,
    retries,
    backoffMs,
  };
}

function userinfo(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw new TypeError("obsweave: push: the url's userinfo is not valid percent-encoding");
  }
}

function positive(name: string, v: number | undefined, fallback: number): number {
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !(v > 0) || !Number.isFinite(v)) {
    throw new TypeError(`obsweave: push: ${name} must be a positive number, got ${String(v)}`);
  }
  return v;
}

/**
 * Pushes the registry to a Prometheus Pushgateway (text format 0.0.4; the protobuf exposition
 * when it holds a native histogram, which text cannot carry), for a batch job that
 * ends before a scrape could see it. Throws at once on bad options; otherwise never rejects:
 * a failed push (after its retries) resolves with `ok: false`, is counted in
 * `obsweave.dropped_total{reason="push_error"}` and logged once per gateway, redacted.
 *
 * NOTE: `await` it before the process exits, or the push may never leave.
 */
export function pushMetrics(
  registry: MetricsRegistry | undefined,
  opts: PushOptions,
): Promise<PushResult> {
  return pushPlanned(registry ?? metrics, planPush(opts));
}

/** One push of a checked plan: the body taken once, then tried until it lands or retries run out. */
export async function pushPlanned(registry: MetricsRegistry, plan: PushPlan): Promise<PushResult> {
  let body: Body | undefined;
  let result: PushResult;
  try {
    if (plan.method !== 'DELETE') body = await pushBody(registry);
    result = await send(plan, body);
  } catch (e) {
    result = { ok: false, attempts: 0, error: redact(describe(e)) };
  }
  if (!result.ok) {
    registry.drop(
      'push_error',
      `push to ${plan.shown}`,
      () => `${plan.method} failed after ${result.attempts} tries: ${result.error}; dropped`,
    );
  }
  return result;
}

interface Body {
  readonly type: string;
  readonly data: string | Buffer;
}

/**
 * Text, as every Pushgateway takes it; protobuf when a native histogram would lose its buckets
 * in text (the Pushgateway keeps and serves them from 1.5 on, older ones take protobuf too).
 */
function pushBody(registry: MetricsRegistry): Promise<Body> {
  return Promise.resolve(
    registry.exportWith('push', (families, labels): Body =>
      families.some(isNative)
        ? { type: PROTOBUF_CONTENT_TYPE, data: toProtobuf(families, labels) }
        : { type: PROMETHEUS_CONTENT_TYPE, data: writers().prometheus(families, labels) },
    ),
  );
}

function isNative(f: FamilyView): boolean {
  if (f.type !== 'histogram') return false;
  let native = false;
  f.forEach((_, s) => {
    if (s.native !== undefined) native = true;
  });
  return native;
}

async function send(plan: PushPlan, body: Body | undefined): Promise<PushResult> {
  let last: PushResult = { ok: false, attempts: 0 };
  for (let attempt = 1; attempt <= plan.retries + 1; attempt++) {
    if (attempt > 1) await sleep(backoff(plan.backoffMs, attempt - 2));
    let retry: boolean;
    try {
      const res = await fetch(plan.target, {
        method: plan.method,
        headers: body === undefined ? plan.headers : { ...plan.headers, 'content-type': body.type },
        body: body?.data,
        signal: AbortSignal.timeout(plan.timeoutMs),
      });
      // The same signal bounds the reading.
      const head = await readHead(res, ERROR_BODY_MAX);
      if (res.ok) return { ok: true, status: res.status, attempts: attempt };
      last = {
        ok: false,
        status: res.status,
        attempts: attempt,
        error: `HTTP ${res.status}: ${shownAnswer(head)}`,
      };
      retry = res.status >= 500 || res.status === 408 || res.status === 429;
    } catch (e) {
      last = { ok: false, attempts: attempt, error: redact(describe(e)) };
      retry = true;
    }
    if (!retry) break;
  }
  return last;
}

/** How much of an answer is read: a gateway's error message fits, a flood does not. */
export const ERROR_BODY_MAX = 4096;
/** How much of it `PushResult.error` and the log show. */
const SHOWN_MAX = 200;

interface Head {
  readonly text: string;
  /** The answer ended within the limit: `text` is all of it. */
  readonly whole: boolean;
}

/**
 * The first `max` bytes of an answer, its body then cancelled: an endless or huge answer costs
 * `max` bytes, not the job's memory (the connection is let go rather than drained).
 */
async function readHead(res: Response, max: number): Promise<Head> {
  const body = res.body;
  if (body === null) return { text: '', whole: true };
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  let room = max;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return { text: text + decoder.decode(), whole: true };
      if (value.byteLength > room) {
        return {
          text: text + decoder.decode(value.subarray(0, room), { stream: true }),
          whole: false,
        };
      }
      room -= value.byteLength;
      text += decoder.decode(value, { stream: true });
    }
  } finally {
    reader.cancel().catch(() => {});
  }
}

/**
 * An answer as it is shown: redacted first, then its spaces folded, then cut. Cut first, half
 * a key would be left that `redact()` no longer knows (`AKIAIOSFODN`); so the word the read
 * limit went through is not shown either.
 */
function shownAnswer(head: Head): string {
  const clean = head.whole ? redact(head.text) : redactHead(head.text);
  return cut(clean.replace(/\s+/g, ' ').trim(), SHOWN_MAX);
}

/** Exponential, with jitter so that many jobs failing together do not retry together. */
function backoff(base: number, n: number): number {
  return base * 2 ** n * (0.5 + Math.random() / 2);
}

function sleep(ms: number): Promise<void> {
  // Not unref'd: a job awaiting its last push must not exit in the middle of a back-off.
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function describe(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  if (e.name === 'TimeoutError') return `timed out: ${e.message}`;
  // undici says only "fetch failed"; the reason (ECONNREFUSED...) is its cause.
  const cause = (e as { cause?: { code?: string; message?: string } }).cause;
  const why = cause?.code ?? cause?.message;
  return why === undefined ? `${e.name}: ${e.message}` : `${e.message}: ${why}`;
}
