import test from 'ava';
import { parse } from 'yaml';
import { MetricsRegistry } from '../../src';
import {
  DEFAULT_SLOS,
  sloRules,
  sloRulesYaml,
  type AlertingRule,
  type RecordingRule,
  type Slo,
} from '../../src/slo';
import { everyKind } from './every-kind';

const WINDOWS = ['5m', '30m', '1h', '2h', '6h', '1d', '3d'];
const registry = () => new MetricsRegistry();

function group(slos: readonly Slo[], name: string, opts = {}) {
  const g = sloRules(slos, { registry: registry(), ...opts }).groups.find(
    (x) => x.name === `obsweave-slo-${name}`,
  );
  if (g === undefined) throw new Error(`no group for ${name}`);
  const records = g.rules.filter((r): r is RecordingRule => 'record' in r);
  const alerts = g.rules.filter((r): r is AlertingRule => 'alert' in r);
  return { records, alerts };
}

test('DEFAULT_SLOS cover HTTP availability and latency, external calls by service, and jobs', (t) => {
  t.deepEqual(
    DEFAULT_SLOS.map((s) => s.name),
    ['http-availability', 'http-latency', 'external-calls', 'jobs'],
  );
  t.deepEqual(DEFAULT_SLOS[2].by, ['service']);
  const file = sloRules(undefined, { registry: registry() });
  t.is(file.groups.length, 4);
  t.true(Object.isFrozen(DEFAULT_SLOS));
});

test('one recording rule per window and the period, named level:metric:operations, with the slo label', (t) => {
  const { records } = group(DEFAULT_SLOS, 'external-calls');
  t.deepEqual(
    records.map((r) => r.record),
    [
      ...WINDOWS.map((w) => `slo:sli_error:ratio_rate${w}`),
      'slo:sli_error:ratio_rate30d',
      'slo:objective:ratio',
      'slo:period_error_budget_remaining:ratio',
    ],
  );
  for (const r of records) t.deepEqual(r.labels, { slo: 'external-calls' });
  t.is(
    records[2].expr,
    'sum by (service) (rate(external_calls_total{outcome!="success"}[1h])) / sum by (service) (rate(external_calls_total[1h]))',
  );
  t.is(records[8].expr, 'vector(0.99)');
  t.is(records[9].expr, '1 - slo:sli_error:ratio_rate30d{slo="external-calls"} / 0.01');
});

test('page is 14.4x over 1h and 5m or 6x over 6h and 30m; ticket 3x over 1d and 2h or 1x over 3d and 6h', (t) => {
  const { alerts } = group(DEFAULT_SLOS, 'http-availability');
  t.deepEqual(
    alerts.map((a) => [a.alert, a.labels]),
    [
      ['ErrorBudgetBurn', { slo: 'http-availability', severity: 'page' }],
      ['ErrorBudgetBurn', { slo: 'http-availability', severity: 'ticket' }],
    ],
  );
  const r = (w: string) => `slo:sli_error:ratio_rate${w}{slo="http-availability"} / 0.001`;
  t.is(
    alerts[0].expr,
    `(${r('1h')} > 14.4 and ${r('5m')} > 14.4) or (${r('6h')} > 6 and ${r('30m')} > 6)`,
  );
  t.is(
    alerts[1].expr,
    `(${r('1d')} > 3 and ${r('2h')} > 3) or (${r('3d')} > 1 and ${r('6h')} > 1)`,
  );
  t.is(alerts[0].annotations.objective, '99.9%');
  t.regex(alerts[0].annotations.summary, /http-availability burns its 30d error budget fast/);
  t.regex(alerts[0].annotations.description, /99\.9% of HTTP requests/);
  t.regex(alerts[0].annotations.error_budget_remaining, /slo:period_error_budget_remaining:ratio/);
  t.false('runbook_url' in alerts[0].annotations);
});

test('a by label is named in the summary and selects the remaining budget of that series', (t) => {
  const { alerts } = group(DEFAULT_SLOS, 'external-calls');
  t.regex(alerts[0].annotations.summary, /external-calls \(service=\{\{ \$labels\.service \}\}\)/);
  t.regex(
    alerts[0].annotations.error_budget_remaining,
    /\{slo=%q,service=%q\}" "external-calls" \$labels\.service \| query/,
  );
});

test('latency reads the bucket at the threshold, exported in seconds, with the match', (t) => {
  const { registry, slos } = everyKind();
  const file = sloRules(slos, { registry });
  const rec = (name: string) =>
    file.groups.find((g) => g.name === `obsweave-slo-${name}`)!.rules[0];
  t.is(
    rec('api-latency').expr,
    '(sum(rate(http_request_latency_seconds_count{route!="/metrics"}[5m])) - ' +
      'sum(rate(http_request_latency_seconds_bucket{route!="/metrics",le="0.25"}[5m]))) / ' +
      'sum(rate(http_request_latency_seconds_count{route!="/metrics"}[5m]))',
  );
  t.regex(rec('search-latency').expr, /search_duration_seconds_bucket\{le="0\.1"\}/);
  t.regex(rec('search-latency').expr, /^\(sum by \(index\) /);
  const orders = file.groups[0].rules as AlertingRule[];
  t.deepEqual(orders[0].labels, { slo: 'orders', team: 'checkout' });
  t.is(
    orders.at(-1)!.annotations.runbook_url,
    'https://runbooks.example/orders?region={{ $labels.region }}',
  );
  t.is(orders.at(-1)!.labels.severity, 'ticket');
  t.is((orders[7] as unknown as RecordingRule).record, 'slo:sli_error:ratio_rate28d');
});

test('windowScale shrinks every window, the period too, and keeps the rule names', (t) => {
  const { records, alerts } = group(DEFAULT_SLOS, 'jobs', { windowScale: 1 / 60 });
  const ranges = records.slice(0, 8).map((r) => /\[([^\]]+)\]/.exec(r.expr)![1]);
  t.deepEqual(ranges, ['5s', '30s', '1m', '2m', '6m', '24m', '72m', '12h']);
  t.is(records[0].record, 'slo:sli_error:ratio_rate5m');
  t.is(records[7].record, 'slo:sli_error:ratio_rate30d');
  t.regex(alerts[0].expr, /ratio_rate1h\{slo="jobs"\}/);
  // No `for:` to scale: the short window is what makes an alert wait and resolve.
  for (const a of alerts) t.false('for' in a);
});

test('the YAML is the same rule file, with a header saying how windows were scaled', (t) => {
  const text = sloRulesYaml(DEFAULT_SLOS, { registry: registry(), windowScale: 0.5 });
  t.deepEqual(parse(text), sloRules(DEFAULT_SLOS, { registry: registry(), windowScale: 0.5 }));
  t.regex(text, /^# Generated by obsweave/);
  t.regex(text, /scaled by 0\.5/);
  t.notRegex(text, /[&*]a\d/, 'no YAML anchors');
});

test('a metric from the given registry is found; the process-wide one is the default', (t) => {
  const { registry: r } = everyKind();
  t.notThrows(() => sloRules(everyKind().slos, { registry: r }));
  t.throws(() => sloRules(everyKind().slos), {
    message: /"orders\.failed_total" is not in the registry or the catalog/,
  });
});

const bad: [string, Partial<Slo> | Record<string, unknown>, RegExp][] = [
  [
    'unknown metric',
    { sli: { errors: 'nope_total', total: 'http.requests_total' } },
    /SLO "s": metric "nope_total" is not in the registry or the catalog/,
  ],
  [
    'an exported name',
    { sli: { errors: 'http_requests_total', total: 'http.requests_total' } },
    /SLIs use obsweave's names: "http\.requests_total"/,
  ],
  [
    'threshold not a bound',
    { sli: { latency: { metric: 'http.request_latency_ms', thresholdMs: 300 } } },
    /thresholdMs 300 is not a bucket bound of "http\.request_latency_ms" \(bounds in ms: 1, 2, 5/,
  ],
  ['objective 1', { objective: 1 }, /objective must be a number between 0 and 1/],
  ['objective 0', { objective: 0 }, /objective must be a number between 0 and 1/],
  ['objective 99.9', { objective: 99.9 }, /objective must be a number between 0 and 1/],
  ['bad period', { period: '30 days' }, /period must be a duration such as "30d"/],
  ['short period', { period: '1d' }, /period 1d is shorter than the longest alert window, 3d/],
  [
    'a gauge',
    { sli: { errors: 'proc.open_fds', total: 'http.requests_total' } },
    /"proc\.open_fds" is a gauge, not a counter/,
  ],
  [
    'latency on a counter',
    { sli: { latency: { metric: 'http.requests_total', thresholdMs: 1000 } } },
    /is a counter, not a histogram/,
  ],
  [
    'unknown label',
    { sli: { errors: 'http.requests_total{status="500"}', total: 'http.requests_total' } },
    /"http\.requests_total" has no label "status"/,
  ],
  [
    'bad matcher',
    { sli: { errors: 'http.requests_total{code_class=5xx}', total: 'http.requests_total' } },
    /cannot read label matchers/,
  ],
  [
    'by on a missing label',
    { by: ['service'] },
    /by: "http\.requests_total" has no label "service"/,
  ],
  ['reserved by', { by: ['severity'] }, /cannot be a label to group by/],
  ['bad name', { name: 'has space' }, /name must be letters/],
  ['unknown field', { objetive: 0.9 }, /unknown field "objetive"/],
  [
    'le in match',
    { sli: { latency: { metric: 'http.request_latency_ms', thresholdMs: 1000, match: 'le="1"' } } },
    /"le" is set from thresholdMs/,
  ],
  ['no sli', { sli: undefined }, /sli must be/],
];

for (const [title, change, message] of bad) {
  test(`an SLO with ${title} throws a clear obsweave: error`, (t) => {
    const slo = {
      name: 's',
      objective: 0.99,
      sli: { errors: 'http.requests_total{code_class="5xx"}', total: 'http.requests_total' },
      ...change,
    } as Slo;
    const err = t.throws(() => sloRules([slo], { registry: registry() }));
    t.regex(err.message, /^obsweave: /);
    t.regex(err.message, message);
  });
}

test('a histogram that is not a duration cannot be a latency SLI', (t) => {
  const r = registry();
  r.histogram('payload.size', { buckets: [1, 10] });
  t.throws(
    () =>
      sloRules(
        [
          {
            name: 's',
            objective: 0.9,
            sli: { latency: { metric: 'payload.size', thresholdMs: 10 } },
          },
        ],
        { registry: r },
      ),
    {
      message: /"payload\.size" is not a duration/,
    },
  );
});

test('two SLOs with one name, or a bad windowScale, throw', (t) => {
  t.throws(() => sloRules([DEFAULT_SLOS[0], DEFAULT_SLOS[0]], { registry: registry() }), {
    message: /"http-availability" is declared twice/,
  });
  for (const windowScale of [0, -1, 2, Number.NaN]) {
    t.throws(() => sloRules(DEFAULT_SLOS, { registry: registry(), windowScale }), {
      message: /^obsweave: windowScale must be a number in \(0, 1\]/,
    });
  }
  t.throws(() => sloRules(DEFAULT_SLOS, { registry: registry(), windowScale: 1 / 600 }), {
    message: /shorter than 1s/,
  });
});

test('registry.definition() tells type, labels and histogram bounds of a metric', (t) => {
  const r = registry();
  r.histogram('q.wait_ms', { labelNames: ['queue'], buckets: [10, 100] });
  r.counter('q.done_total');
  t.deepEqual(r.definition('q.wait_ms'), {
    name: 'q.wait_ms',
    type: 'histogram',
    labelNames: ['queue'],
    buckets: [10, 100],
  });
  t.deepEqual(r.definition('q.done_total'), {
    name: 'q.done_total',
    type: 'counter',
    labelNames: [],
  });
  t.is(r.definition('q.none'), undefined);
});
