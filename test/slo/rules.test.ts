import test from 'ava';
import { parse } from 'yaml';
import { MetricsRegistry } from '../../src';
import {
  DEFAULT_SLOS,
  sloRules,
  sloRulesYaml,
  SloConfigError,
  type AlertingRule,
  type RecordingRule,
  type Slo,
} from '../../src/slo';
import { everyKind } from './every-kind';

const WINDOWS = ['5m', '30m', '1h', '2h', '6h', '1d', '3d'];
const registry = () => new MetricsRegistry();

function group(slos: readonly Slo[], name: string, opts = {}) {
  const file = sloRules(slos, { registry: registry(), ...opts });
  const g = file.groups.find((x) => x.name === `obsweave-slo-${name}`);
  const p = file.groups.find((x) => x.name === `obsweave-slo-${name}-period`);
  if (g === undefined || p === undefined) throw new Error(`no groups for ${name}`);
  const records = g.rules.filter((r): r is RecordingRule => 'record' in r);
  const alerts = g.rules.filter((r): r is AlertingRule => 'alert' in r);
  return { records, alerts, period: p.rules as RecordingRule[], interval: p.interval };
}

test('DEFAULT_SLOS cover HTTP availability and latency, external calls by service, and jobs', (t) => {
  t.deepEqual(
    DEFAULT_SLOS.map((s) => s.name),
    ['http-availability', 'http-latency', 'external-calls', 'jobs'],
  );
  t.deepEqual(DEFAULT_SLOS[2].by, ['service']);
  const file = sloRules(undefined, { registry: registry() });
  t.is(file.groups.length, 8, 'two groups per SLO');
  t.true(Object.isFrozen(DEFAULT_SLOS));
});

test('one recording rule per window, and the period in a group of its own evaluated every 5m', (t) => {
  const { records, period, interval } = group(DEFAULT_SLOS, 'external-calls');
  t.deepEqual(
    records.map((r) => r.record),
    WINDOWS.map((w) => `slo:sli_error:ratio_rate${w}`),
  );
  for (const r of [...records, ...period]) t.deepEqual(r.labels, { slo: 'external-calls' });
  const rate = (sel: string, w: string) => `sum by (job, service) (rate(${sel}[${w}]))`;
  t.is(
    records[2].expr,
    `(${rate('external_calls_total{outcome!="success"}', '1h')} or 0 * ${rate('external_calls_total', '1h')}) / ${rate('external_calls_total', '1h')}`,
  );
  t.is(interval, '5m');
  t.deepEqual(
    period.map((r) => r.record),
    [
      'slo:sli_error:ratio_rate30d',
      'slo:objective:ratio',
      'slo:period_error_budget_remaining:ratio',
    ],
  );
  // A rate over the period: weighted by calls, not an average of ratios.
  t.regex(period[0].expr, /rate\(external_calls_total\[30d\]\)/);
  t.is(period[1].expr, 'vector(0.99)');
  t.is(period[2].expr, '1 - slo:sli_error:ratio_rate30d{slo="external-calls"} / 0.01');
});

test('page is 14.4x over 1h and 5m or 6x over 6h and 30m; ticket 3x over 1d and 2h or 1x over 3d and 6h', (t) => {
  const { alerts } = group(DEFAULT_SLOS, 'http-availability');
  t.deepEqual(
    alerts.map((a) => [a.alert, a.labels, a.for]),
    [
      ['ErrorBudgetBurn', { slo: 'http-availability', severity: 'page' }, undefined],
      ['ErrorBudgetBurn', { slo: 'http-availability', severity: 'ticket' }, undefined],
      ['SloDataAbsent', { slo: 'http-availability', severity: 'ticket' }, '10m'],
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
  t.is(alerts[2].expr, 'absent(http_requests_total)');
  t.is(alerts[0].annotations.objective, '99.9%');
  t.regex(
    alerts[0].annotations.summary,
    /http-availability \(job=\{\{ \$labels\.job \}\}\) burns its 30d error budget fast/,
  );
  t.regex(alerts[0].annotations.description, /99\.9% of HTTP requests/);
  t.regex(alerts[0].annotations.error_budget_remaining, /slo:period_error_budget_remaining:ratio/);
  t.false('runbook_url' in alerts[0].annotations);
});

test('a by label is named in the summary and selects the remaining budget of that series', (t) => {
  const { alerts } = group(DEFAULT_SLOS, 'external-calls');
  t.regex(
    alerts[0].annotations.summary,
    /external-calls \(job=\{\{ \$labels\.job \}\}, service=\{\{ \$labels\.service \}\}\)/,
  );
  t.regex(
    alerts[0].annotations.error_budget_remaining,
    /\{slo=%q,job=%q,service=%q\}" "external-calls" \$labels\.job \$labels\.service \| query/,
  );
});

test('latency reads the bucket at the threshold in both spellings of le, exported in seconds, with the match', (t) => {
  const { registry, slos } = everyKind();
  const file = sloRules(slos, { registry });
  const rec = (name: string) =>
    file.groups.find((g) => g.name === `obsweave-slo-${name}`)!.rules[0];
  const count = 'sum(rate(http_request_latency_seconds_count{route!="/metrics"}[5m]))';
  t.is(
    rec('api-latency').expr,
    `(${count} - (sum(rate(http_request_latency_seconds_bucket{route!="/metrics",le="0.25"}[5m])) or 0 * ${count})) / ${count}`,
  );
  // Prometheus 3 stores le="1" as le="1.0": both are read.
  t.regex(rec('search-latency').expr, /search_duration_seconds_bucket\{le=~"1\|1\\\\\.0"\}/);
  t.regex(rec('search-latency').expr, /^\(sum by \(job, index\) /);
  const orders = file.groups[0].rules as AlertingRule[];
  t.deepEqual(orders[0].labels, { slo: 'orders', team: 'checkout' });
  const [page, ticket] = orders.filter((r) => r.alert === 'ErrorBudgetBurn');
  t.deepEqual(page.labels, {
    slo: 'orders',
    team: 'checkout',
    severity: 'critical',
    pager: 'checkout',
  });
  t.deepEqual(ticket.labels, { slo: 'orders', team: 'checkout', severity: 'ticket' });
  t.is(
    ticket.annotations.runbook_url,
    'https://runbooks.example/orders?region={{ $labels.region }}',
  );
  t.is(
    ticket.annotations.dashboard_url,
    'https://grafana.example/d/orders?var-region={{ $labels.region }}',
  );
  t.is((file.groups[1].rules[0] as RecordingRule).record, 'slo:sli_error:ratio_rate7d');
  const api = file.groups.find((g) => g.name === 'obsweave-slo-api-latency')!.rules;
  t.deepEqual(
    api.filter((r): r is AlertingRule => 'alert' in r).map((r) => r.alert),
    ['ApiLatencyBurn', 'ApiLatencyBurn', 'SloDataAbsent'],
  );
  t.regex(api[0].expr, /^\(sum\(rate/, 'scope [] sums every target');
});

test('windowScale shrinks every window, the period too, and keeps the rule names', (t) => {
  const { records, alerts, period, interval } = group(DEFAULT_SLOS, 'jobs', {
    windowScale: 1 / 60,
  });
  const ranges = [...records, period[0]].map((r) => /\[([^\]]+)\]/.exec(r.expr)![1]);
  t.deepEqual(ranges, ['5s', '30s', '1m', '2m', '6m', '24m', '72m', '12h']);
  t.is(records[0].record, 'slo:sli_error:ratio_rate5m');
  t.is(period[0].record, 'slo:sli_error:ratio_rate30d');
  t.is(interval, '5s');
  t.regex(alerts[0].expr, /ratio_rate1h\{slo="jobs"\}/);
  // No `for:` on burn rates: the short window is what makes an alert wait and resolve.
  t.deepEqual(
    alerts.map((a) => a.for),
    [undefined, undefined, '10m'],
  );
});

test('the burn factors spend the same share of the budget whatever the period', (t) => {
  const factors = (period: string) =>
    group([{ ...DEFAULT_SLOS[0], objective: 0.9999, period }], 'http-availability')
      .alerts.slice(0, 2)
      .map((a) => [...a.expr.matchAll(/> ([\d.]+)/g)].map((m) => Number(m[1])));
  t.deepEqual(factors('30d'), [
    [14.4, 14.4, 6, 6],
    [3, 3, 1, 1],
  ]);
  t.deepEqual(factors('28d'), [
    [13.44, 13.44, 5.6, 5.6],
    [2.8, 2.8, 0.933333333333, 0.933333333333],
  ]);
  t.deepEqual(factors('7d'), [
    [3.36, 3.36, 1.4, 1.4],
    [0.7, 0.7, 0.233333333333, 0.233333333333],
  ]);
  t.deepEqual(factors('90d'), [
    [43.2, 43.2, 18, 18],
    [9, 9, 3, 3],
  ]);
  // factor x long window / period is the share spent: 2%, 5%, 10%, 10%.
  for (const [period, days] of [
    ['7d', 7],
    ['28d', 28],
    ['30d', 30],
    ['90d', 90],
  ] as const) {
    const [[p1, , p6], [t1, , t3]] = factors(period);
    const spent = [p1 / 24, (p6 * 6) / 24, t1, t3 * 3].map((x) =>
      Number((x / days).toPrecision(6)),
    );
    t.deepEqual(spent, [0.02, 0.05, 0.1, 0.1], period);
  }
  t.regex(
    group([{ ...DEFAULT_SLOS[0], period: '7d' }], 'http-availability').alerts[0].annotations
      .description,
    /above 3\.36x over 1h and 5m, or 1\.4x over 6h and 30m/,
  );
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
  [
    'an objective that can never page',
    { objective: 0.9 },
    /objective 0\.9 can never page over 30d: the 1h page fires above 14\.4x the budget, an error ratio of 144%; the objective must be above 0\.930556/,
  ],
  [
    'an objective that can never page over 90d',
    { objective: 0.97, period: '90d' },
    /can never page over 90d: the 1h page fires above 43\.2x/,
  ],
  ['a period of 300y', { period: '300y' }, /period must be a duration .* at most 292y, got "300y"/],
  [
    'a period of 1e21 days',
    { period: '1000000000000000000000d' },
    /period must be a duration .*got "1000000000000000000000d"/,
  ],
  [
    '{{ in labels',
    { labels: { team: 'a {{ b' } },
    /labels: "team" is not a template Prometheus reads: "\{\{" at 2 is never closed/,
  ],
  [
    '{{ in the description',
    { description: 'x {{' },
    /description: not a template Prometheus reads/,
  ],
  ['{{ in the runbook', { runbookUrl: 'https://x/{{ $labels.job' }, /runbookUrl: not a template/],
  [
    'an unknown template function',
    { dashboardUrl: 'https://x/{{ nope }}' },
    /function "nope" not defined/,
  ],
  [
    'a raw newline in a selector',
    { sli: { errors: 'http.requests_total{code_class="5\nxx"}', total: 'http.requests_total' } },
    /a raw newline cannot be in a quoted value/,
  ],
  [
    'a \\q escape',
    { sli: { errors: 'http.requests_total{code_class="\\q"}', total: 'http.requests_total' } },
    /unknown escape sequence "\\q"/,
  ],
  [
    'a regex that does not compile',
    { sli: { errors: 'http.requests_total{code_class=~"("}', total: 'http.requests_total' } },
    /code_class=~: regex "\(" is not valid/,
  ],
  [
    'a misspelt metric',
    { sli: { errors: 'http.request_total{code_class="5xx"}', total: 'http.requests_total' } },
    /metric "http\.request_total" is not in the registry or the catalog \(did you mean "http\.requests_total"\?\)/,
  ],
  [
    'a misspelt field',
    { objetive: 0.9 },
    /unknown field "objetive" \(did you mean "objective"\?\)/,
  ],
  ['a bad alert name', { alertName: 'Error Budget' }, /alertName must be a metric-like name/],
  [
    'a scope that is also by',
    { by: ['job'], scope: ['job'] } as Partial<Slo>,
    /scope: "job" is listed twice/,
  ],
  [
    'an unknown severity',
    { severityLabels: { warning: {} } } as Partial<Slo>,
    /severityLabels: unknown severity "warning"/,
  ],
  [
    'slo in severity labels',
    { severityLabels: { page: { slo: 'x' } } },
    /severityLabels\.page: "slo" cannot be set/,
  ],
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

test('every problem of every SLO is reported at once, one line each', (t) => {
  const err = t.throws(
    () =>
      sloRules(
        [
          {
            name: 'a',
            objective: 2,
            period: '1d',
            sli: { errors: 'x_total', total: 'http.requests_total' },
          },
          {
            name: 'b',
            objective: 0.99,
            description: '{{',
            sli: { latency: { metric: 'http.request_latency_ms', thresholdMs: 3 } },
          },
          DEFAULT_SLOS[0],
          DEFAULT_SLOS[0],
        ],
        { registry: registry() },
      ),
    { instanceOf: SloConfigError },
  );
  t.deepEqual(
    err.problems.map((p) => p.replace(/:.*/s, '')),
    [
      'SLO "a"',
      'SLO "a"',
      'SLO "a"',
      'SLO "b"',
      'SLO "b"',
      'SLO "http-availability" is declared twice',
    ],
  );
  t.regex(err.problems[0], /objective must be/);
  t.regex(err.problems[1], /period 1d is shorter than the longest alert window, 3d/);
  t.regex(err.problems[2], /metric "x_total"/);
  t.regex(err.problems[4], /thresholdMs 3 is not a bucket bound/);
  t.is(err.message.split('\n').length, 6);
  for (const line of err.message.split('\n')) t.regex(line, /^obsweave: SLO /);
});

test('a period of 3d reads its ratio from the 3d window instead of recording it twice', (t) => {
  const { records, period } = group(
    [{ ...DEFAULT_SLOS[0], objective: 0.9999, period: '3d' }],
    'http-availability',
  );
  const names = [...records, ...period].map((r) => r.record);
  t.is(names.filter((n) => n === 'slo:sli_error:ratio_rate3d').length, 1);
  t.is(period.at(-1)!.expr, '1 - slo:sli_error:ratio_rate3d{slo="http-availability"} / 0.0001');
});
