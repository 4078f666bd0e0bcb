import test from 'ava';
import http from 'node:http';
import {
  correlationId,
  httpMetrics,
  MetricsRegistry,
  redact,
  runWithCorrelationId,
  setTracer,
  Stage,
  type CorrelationMode,
} from '../../src';
import { acceptableCorrelationId } from '../../src/context/correlation-id';
import { listen } from '../support/http';
import { useOtelSdk } from '../support/otel-sdk';

// The OpenTelemetry SDK and obsweave's tracer are process-wide: serial tests.
const { exporter, tracer } = useOtelSdk(test);

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Ids a client should never have sent: each looks like a credential to `redact()`. */
const CREDENTIALS: Record<string, string> = {
  jwt: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U',
  'bearer, URL-encoded': 'Bearer+sk_live_4eC39HqLyjWDarjtT1zdp7dc',
  'github token': 'ghp_16C7e42F292c6912E7710c838347Ae178B4a',
  'github fine-grained token':
    'github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJ',
  'stripe key': 'sk_live_4eC39HqLyjWDarjtT1zdp7dc',
  'key=secret pair': 'token=abc123def456',
  'long hex': 'a1b2c3d4e5f60718293a4b5c6d7e8f90',
};
/** Not taken for its characters alone (a space): replaced before `redact()` is asked. */
const MALFORMED = ['Bearer abcdef0123456789', 'id\twith tab', 'x'.repeat(129)];
/** Taken when, and only when, `redact()` leaves them alone (formats it learns later included). */
const BY_REDACTION = ['AKIAIOSFODNN7EXAMPLE', 'ASIAY34FZKBOKMUTVV7A', 'xoxb-1234-5678-abcdefghij'];
const KEPT = ['req-123', 'abc-123', 'f47ac10b-58cc-4372-a567-0e02b2c3d479', 'Mixed.Case:id/7'];

async function serve(t: import('ava').ExecutionContext, correlation: CorrelationMode) {
  const registry = new MetricsRegistry({ logger: () => {} });
  setTracer(tracer, { decoratorSpans: true });
  class Work {
    @Stage('work', { registry })
    async work(_req: http.IncomingMessage): Promise<void> {
      await new Promise((r) => setTimeout(r, 1));
    }
  }
  const w = new Work();
  const mw = httpMetrics({ registry, correlation });
  const base = await listen(
    t,
    http.createServer((req, res) =>
      mw(req, res, async () => {
        await w.work(req);
        res.end(String(correlationId(req)));
      }),
    ),
  );
  return {
    registry,
    /** The echoed header and the id the handler saw. */
    send: async (id: string) => {
      const r = await fetch(base, { headers: { 'x-correlation-id': id } });
      return { header: r.headers.get('x-correlation-id'), seen: await r.text() };
    },
  };
}

for (const mode of ['context', 'request'] as const) {
  test.serial(
    `'${mode}': a credential-like id is replaced by a fresh one in the header, on spans and in exemplars`,
    async (t) => {
      const { registry, send } = await serve(t, mode);
      for (const [what, secret] of Object.entries(CREDENTIALS)) {
        t.not(redact(secret), secret, `${what} is one redact() changes`);
        exporter.reset();
        const sent = await send(secret);
        const header = sent.header!;
        const seen = sent.seen;
        t.regex(header, UUID, `${what}: a fresh id is echoed`);
        t.is(seen, header, `${what}: correlationId(req) is the fresh id`);
        const span = exporter.getFinishedSpans().find((s) => s.name === 'stage work')!;
        t.is(span.attributes['correlation.id'], header, `${what}: the span has the fresh id`);
        const om = registry.toOpenMetrics() as string;
        t.true(om.includes(`correlation_id="${header}"`), `${what}: the exemplar has the fresh id`);
        t.false(om.includes(secret), `${what} is nowhere in the export`);
      }
      for (const bad of MALFORMED) t.regex((await send(bad)).header!, UUID);
      for (const id of KEPT) t.deepEqual(await send(id), { header: id, seen: id });
      for (const id of BY_REDACTION) {
        const { header } = await send(id);
        if (redact(id) === id) t.is(header, id, `${id}: redact() leaves it, so it is kept`);
        else t.regex(header!, UUID, `${id}: redact() changes it, so it is replaced`);
      }
    },
  );
}

test('the rule: safe characters, at most 128, and a UUID or what redact() leaves as it is', (t) => {
  for (const v of [...Object.values(CREDENTIALS), ...MALFORMED, ...BY_REDACTION, ...KEPT]) {
    const expected =
      /^[A-Za-z0-9._:@+=/-]{1,128}$/.test(v) && (UUID.test(v.toLowerCase()) || redact(v) === v);
    t.is(acceptableCorrelationId(v), expected, v);
  }
  t.true(acceptableCorrelationId('F47AC10B-58CC-4372-A567-0E02B2C3D479'), 'UUIDs in any case');
});

test.serial(
  'runWithCorrelationId checks its id as a header is checked: a credential-like one is replaced',
  async (t) => {
    const registry = new MetricsRegistry({ logger: () => {} });
    setTracer(tracer, { decoratorSpans: true });
    class Job {
      @Stage('job', { registry })
      async run(): Promise<string | undefined> {
        await new Promise((r) => setTimeout(r, 1));
        return correlationId();
      }
    }
    const job = new Job();
    for (const [what, secret] of Object.entries({ ...CREDENTIALS, ...asIds(MALFORMED) })) {
      exporter.reset();
      const seen = await runWithCorrelationId(secret, () => job.run());
      t.regex(String(seen), UUID, `${what}: the code inside sees a fresh id`);
      const span = exporter.getFinishedSpans().find((s) => s.name === 'stage job')!;
      t.is(span.attributes['correlation.id'], seen, `${what}: the span has the fresh id`);
      const om = registry.toOpenMetrics() as string;
      t.true(om.includes(`correlation_id="${seen}"`), `${what}: the exemplar has the fresh id`);
      t.false(om.includes(secret), `${what} is nowhere in the export`);
    }
    for (const id of KEPT) t.is(await runWithCorrelationId(id, () => job.run()), id);
  },
);

function asIds(values: readonly string[]): Record<string, string> {
  return Object.fromEntries(values.map((v, i) => [`malformed #${i}`, v]));
}
