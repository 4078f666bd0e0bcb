import { untestedBlocks, has, SCRAPE_WHEN_LISTENING, testPage } from './snippets';
import test from 'ava';

// Every snippet of the README, compiled as CommonJS and run against the built package (see
// ./snippets.ts). A snippet that is a fragment (a class whose helpers the page leaves out) gets
// them before it, and after it the calls that exercise it and print the registry.

/** Prints the process-wide registry as Prometheus text and ends the process. */
const PRINT = `
void Promise.resolve().then(async () => {
  const { metrics: __metrics } = await import('obsweave');
  console.log(await __metrics.toPrometheusAsync());
  process.exit(0);
});
`;

/** Sections moved to pages of their own by other work, whose snippets are tested there. */
const ELSEWHERE = ['Several processes', 'SLOs and alerts', 'Performance'];

test('README.md: every ts snippet outside the sections kept elsewhere is tested', (t) => {
  t.deepEqual(untestedBlocks('README.md', ELSEWHERE), []);
});

testPage('README.md', {
  'readme-intro': {
    after: `
void new Pipeline(new AsrClient()).transcribe('a.wav').then(() => {
${PRINT}
});`,
    check(t, out) {
      has(t, out, 'worker_stage_latency_seconds_count', { stage: 'transcribe' }, '1');
      has(
        t,
        out,
        'external_calls_total',
        { service: 'asr', op: 'transcribe', outcome: 'success' },
        '1',
      );
    },
  },
  'readme-stage': {
    before: `type Job = { id: string };`,
    after: `
const p = new MediaPipeline();
void p.download({ id: '1' }).then(() => p.probe('a.mp4')).then(() => {
${PRINT}
});`,
    check(t, out) {
      has(t, out, 'worker_stage_latency_seconds_count', { stage: 'download' }, '1');
      has(t, out, 'worker_stage_latency_seconds_count', { stage: 'probe' }, '1');
    },
  },
  'readme-external-call': {
    // The provider answers 429 without leaving the process.
    before: `
globalThis.fetch = async () => new Response('slow down', { status: 429 });`,
    after: `
void new AsrClient().transcribe(new Blob(['x']), {}).catch(() => {
${PRINT}
});`,
    check(t, out) {
      has(
        t,
        out,
        'external_calls_total',
        { service: 'asr', op: 'transcribe', outcome: 'timeout' },
        '1',
      );
    },
  },
  'readme-route': {
    after: `
void Promise.resolve(new JobsController().get('7')).then(() => {
${PRINT}
});`,
    check(t, out) {
      has(
        t,
        out,
        'http_requests_total',
        { method: 'GET', route: '/api/jobs/:id', code_class: '2xx' },
        '1',
      );
    },
  },
  'readme-traced': {
    after: `
void new Indexer().rebuild().then(() => {
  console.log('rebuilt');
});`,
    check(t, out) {
      t.regex(out, /^rebuilt$/m, 'the method runs inside its span');
    },
  },
  'readme-timed': {
    before: `type Invoice = { id: string };`,
    after: `
new Billing().render({ id: '1' });
${PRINT}`,
    check(t, out) {
      has(t, out, 'billing_invoice_render_seconds_count', { template: 'monthly' }, '1');
      has(t, out, 'billing_invoices_total', { outcome: 'success' }, '1');
    },
  },
  'readme-without-classes': {
    before: `
async function download(url: string) { return url.replace(/^.*\\//, '/tmp/'); }
async function probe(file: string, signal?: AbortSignal) { return { file, aborted: signal?.aborted ?? false }; }
async function rm(_file: string) {}`,
    after: `
void ingest('https://media.example/a.mp4').then((info) => {
  console.log(JSON.stringify(info));
${PRINT}
});`,
    check(t, out) {
      t.regex(out, /"file":"\/tmp\/a\.mp4","aborted":false/);
      has(t, out, 'worker_stage_latency_seconds_count', { stage: 'download' }, '1');
      has(
        t,
        out,
        'external_calls_total',
        { service: 'ffprobe', op: 'probe', outcome: 'success' },
        '1',
      );
    },
  },
  'readme-registry': {
    check(t, out) {
      has(t, out, 'queue_depth', { queue: 'transcribe' }, '12');
      has(t, out, 'upload_size_bytes_count', {}, '1');
    },
  },
  'readme-node-http': {
    before: SCRAPE_WHEN_LISTENING,
    after: `
async function __afterListen(base: string) {
  const body = await (await fetch(\`\${base}/api/jobs/42\`)).json();
  console.log(JSON.stringify(body));
}`,
    check(t, out) {
      t.regex(out, /"correlation":"[0-9a-f-]{36}"/, 'correlationId(req) in the handler');
      has(
        t,
        out,
        'http_requests_total',
        { method: 'GET', route: '/api/jobs/:id', code_class: '2xx' },
        '1',
      );
    },
  },
  'readme-express': {
    before: SCRAPE_WHEN_LISTENING,
    after: `
async function __afterListen(base: string) {
  await (await fetch(\`\${base}/api/videos/9\`)).text();
  await (await fetch(\`\${base}/no/such\`)).text();
}`,
    check(t, out) {
      has(t, out, 'http_requests_total', { route: '/api/videos/:id', code_class: '2xx' }, '1');
      has(t, out, 'http_requests_total', { route: '__unmatched__', code_class: '4xx' }, '1');
    },
  },
  'readme-nest': {
    before: SCRAPE_WHEN_LISTENING,
    after: `
async function __afterListen(base: string) {
  await (await fetch(\`\${base}/api/jobs/3\`)).text();
}`,
    check(t, out) {
      has(
        t,
        out,
        'http_requests_total',
        { method: 'GET', route: '/api/jobs/:id', code_class: '2xx' },
        '1',
      );
      t.regex(out, /^# TYPE process_cpu_seconds_total counter$/m, 'process metrics by default');
    },
  },
  'readme-fastify': {
    before: SCRAPE_WHEN_LISTENING,
    after: `
async function __afterListen(base: string) {
  await (await fetch(\`\${base}/api/acme/jobs\`)).text();
}`,
    check(t, out) {
      has(
        t,
        out,
        'http_requests_total',
        { route: '/api/:tenant/jobs', tenant: 'acme', code_class: '2xx' },
        '1',
      );
    },
  },
  'readme-otel': {
    // Spans go nowhere: the exporter's collector is not running, and nothing is flushed.
    after: `
import { Traced as __Traced, metrics as __m } from 'obsweave';
class __Job {
  @__Traced()
  run() {
    return trace.getActiveSpan()?.spanContext().traceId ?? 'none';
  }
}
console.log(\`trace \${new __Job().run()}\`);
void __m;
process.exit(0);`,
    check(t, out) {
      t.regex(out, /^trace [0-9a-f]{32}$/m, 'a real OpenTelemetry span around the method');
    },
  },
  'readme-worker': {
    before: `
import { IncomingMessage as __Req, ServerResponse as __Res } from 'node:http';
import { Socket as __Socket } from 'node:net';
const res = new __Res(new __Req(new __Socket()));
const id = 'job-1';`,
    after: `
events.emit('job.created', { id });
events.emit('job.status', { id, from: 'queued', to: 'running' });
${PRINT}`,
    check(t, out) {
      has(t, out, 'jobs_created_total', {}, '1');
      has(t, out, 'worker_inflight_jobs', {}, '1');
      has(t, out, 'sse_events_total', { stream: 'jobs', event: 'status' }, '1');
    },
  },
});
