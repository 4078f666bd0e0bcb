/**
 * What redaction costs: label values and `redact()` of 1 MiB, in the shapes that made the
 * previous regular expressions quadratic, against an absolute target (5 ms a call); and the
 * label values a service really records, against the previous implementation.
 */
import { MetricsRegistry, redact } from '../src';
import { labelValue } from '../src/redact/redact';
import { referenceLabelValue, referenceRedact } from '../test/security/reference-redact';
import { bench, fmtNs, report, type Case } from './harness';

const MiB = 1 << 20;
const TARGET_MS = 5;

let seed = 42;
function random(alphabet: string, n: number): string {
  const out = new Array<string>(n);
  for (let i = 0; i < n; i++) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    out[i] = alphabet[seed % alphabet.length];
  }
  return out.join('');
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Units repeated to 1 MiB: each was quadratic, or is dense in what a pass takes out. */
const SHAPES: [string, () => string][] = [
  ['a.a.a…', () => 'a.'],
  ['a-a-a…', () => 'a-'],
  ['eyJ-eyJ-…', () => 'eyJ-'],
  ['eyJa.eyJa.…', () => 'eyJa.'],
  ['base64 run', () => random(B64, 4096)],
  ['hex run', () => random('0123456789abcdef', 4096)],
  ['key= repeated', () => 'api_key='],
  ['api_key=x& repeated', () => 'api_key=x&'],
  ['nested URLs', () => 'https://u:p@'],
  ['Bearer x repeated', () => 'Bearer x '],
  ['surrogate pairs', () => '😀a'],
  ['a:a@ repeated', () => 'a:a@'],
  ['u:p@h= repeated', () => 'u:p@h='],
  ['%3A%2F%2F repeated', () => '%3A%2F%2F'],
  ['%3A%2F%2Fa%3A repeated', () => '%3A%2F%2Fa%3A'],
  ['hooks.slack.com/ repeated', () => 'hooks.slack.com/'],
  ['password:x repeated', () => 'password:x'],
];

function shaped(unit: string, spaced: boolean): string {
  // A space every KiB keeps the words short enough for redact() to read its whole window.
  const piece = spaced ? `${unit.repeat(Math.ceil(1024 / unit.length)).slice(0, 1023)} ` : unit;
  return piece.repeat(Math.ceil(MiB / piece.length)).slice(0, MiB);
}

/** Label values a service records, secrets in some of them. */
const TYPICAL = [
  '/api/jobs/:id',
  'GetObjectCommand',
  'UND_ERR_HEADERS_TIMEOUT',
  'worker-3.jobs.svc.cluster.local',
  'https://api.openai.com/v1/audio/transcriptions',
  '/search?q=shoes&api_key=sk_live_51HxYzAbCdEfGhIjKlMnOpQr',
  'Bearer mF_9.B5f-4.1JqMxYz8Q2w7rT0kLp3',
  'cache:hit',
  'admin:hunter2@db.internal:5432',
  'https://media.s3.eu-west-1.amazonaws.com/jobs/42/audio.mp4?X-Amz-Algorithm=AWS4-HMAC-SHA256' +
    '&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20240101%2Feu-west-1%2Fs3%2Faws4_request' +
    '&X-Amz-Date=20240101T000000Z&X-Amz-Expires=3600&X-Amz-SignedHeaders=host' +
    '&X-Amz-Signature=fe5f80f77d5fa3beca038a248ff027d0445342fe2855ddc963176630326f1024',
];

type Target = { of: string; to: string; ratio: number; max: number; ok: boolean };

function absolute(results: { name: string; ns: number }[]): Target[] {
  return results.map(({ name, ns }) => {
    const ratio = ns / 1e6 / TARGET_MS;
    const ok = ratio <= 1;
    console.log(
      `  ${name.padEnd(56)} ${fmtNs(ns).padStart(9)}  (target < ${TARGET_MS} ms) ${ok ? 'ok' : 'MISSED'}`,
    );
    return { of: name, to: `${TARGET_MS} ms`, ratio, max: 1, ok };
  });
}

export function runRedactBench(): Target[] {
  const targets: Target[] = [];

  // One labelled call with a 1 MiB value, `counter.inc(1, { url })`, past the series cap:
  // the value folds into __overflow__, and is redacted again on every call (too long to be
  // remembered as it came); below the cap it costs the same.
  const registry = new MetricsRegistry({ logger: () => {}, maxSeriesPerMetric: 64 });
  const past = registry.counter('past.calls_total', { labelNames: ['url'] });
  for (let i = 0; i < 64; i++) past.inc(1, { url: `/filler/${i}` });
  const labelCases: Case[] = [];
  const redactCases: Case[] = [];
  for (const [name, unit] of SHAPES) {
    const u = unit();
    for (const [how, value] of [
      ['as is', shaped(u, false)],
      ['a space every KiB', shaped(u, true)],
    ] as const) {
      labelCases.push({
        name: `inc() past the cap, ${name}, ${how}`,
        run: (n) => {
          for (let i = 0; i < n; i++) past.inc(1, { url: value });
        },
      });
      redactCases.push({
        name: `redact(), ${name}, ${how}`,
        run: (n) => {
          for (let i = 0; i < n; i++) redact(value);
        },
      });
    }
  }
  console.log('\nRedaction of 1 MiB values (median of interleaved rounds, per call)');
  targets.push(...absolute(bench(labelCases, { rounds: 7, ops: 40, warmupRounds: 1 })));
  targets.push(...absolute(bench(redactCases, { rounds: 7, ops: 4, warmupRounds: 1 })));

  const typical: Case[] = [
    {
      name: 'labelValue(), typical labels',
      run: (n) => {
        for (let i = 0; i < n; i++) labelValue(TYPICAL[i % TYPICAL.length]);
      },
    },
    {
      name: 'previous implementation, same labels',
      run: (n) => {
        for (let i = 0; i < n; i++)
          referenceLabelValue(TYPICAL[i % TYPICAL.length], referenceRedact);
      },
    },
  ];
  targets.push(
    ...report('Redaction of typical label values (ns per label)', bench(typical, { ops: 40_000 }), [
      { of: 'labelValue(), typical labels', to: 'previous implementation, same labels', max: 1 },
    ]),
  );
  return targets;
}

if (require.main === module) runRedactBench();
