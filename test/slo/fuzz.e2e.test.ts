import fc from 'fast-check';
import { MetricsRegistry } from '../../src';
import { SloConfigError, sloRulesYaml, type Slo } from '../../src/slo';
import { testWithTools } from '../support/tools';
import { promtool, tempFiles } from './promtool';

const withPromtool = testWithTools('promtool');

// Pieces of SLO configs: mostly fine, now and then borderline or broken (hand-picked, or random
// strings over the characters that matter), so that every check meets both sides and many
// configurations still pass.
const mostly = <T>(good: fc.Arbitrary<T>, bad: fc.Arbitrary<T>) =>
  fc.oneof({ weight: 12, arbitrary: good }, { weight: 1, arbitrary: bad });

const text = mostly(
  fc.constantFrom(
    'plain',
    '{{ $labels.job }}',
    '}}',
    '{{ $value | humanize }}',
    '{{ if $labels.x }}a{{ else }}b{{ end }}',
    '{{- $labels.job -}}',
    '{{ $labels.job | printf "%s" }}',
    '%s %q \\ " \n\t',
    'https://x/{{ $labels.job }}?a=b&c={{ $externalURL }}',
  ),
  fc.oneof(
    fc.constantFrom(
      '{{',
      '{{ nope }}',
      '{{ if $labels.x }}',
      '{{ "a""b" }}',
      '{{ "\\q" }}',
      '{{/* c */}}',
      '{{ $x }}',
      '{{ end }}',
    ),
    fc.string({ maxLength: 12 }),
    fc.string({
      unit: fc.constantFrom('{', '}', '$', '.', '"', ' ', 'a', '|', '-', '\\', 'x'),
      maxLength: 14,
    }),
  ),
);
const value = mostly(
  fc.oneof(
    fc.constantFrom('"5xx"', '"\\x41"', '"\\u00e9"', '"\\101"', '"a\\nb"'),
    fc.string({ maxLength: 8 }).map((s) => JSON.stringify(s)),
  ),
  fc.constantFrom('"\\q"', '"\\xff"', '"\\ud800"', '"a\nb"', "'x'", '"x', '"\\x4"'),
);
const regex = mostly(
  fc.constantFrom('a|b', '(?i)a', '\\d+', '.*', '5..', '(a|b)c?', 'x{2,3}', '[a-z]+'),
  fc.oneof(
    fc.constantFrom(
      '(',
      ')',
      '(?=a)',
      '[]a]',
      '[^]',
      'a{1001}',
      '(a{2}){3}',
      '\\1',
      '(?P<x>a)',
      '[[:alpha:]]',
      '\\pL',
      'a{,2}',
      '\\z',
      '*',
    ),
    fc.string({
      unit: fc.constantFrom(
        '(',
        ')',
        '[',
        ']',
        '{',
        '}',
        '?',
        '*',
        '+',
        '|',
        '\\',
        'a',
        '1',
        ',',
        '^',
        '$',
        '.',
        ':',
        '=',
        '<',
        'P',
        'i',
      ),
      maxLength: 10,
    }),
  ),
);
const matcher = mostly<[string, string, string]>(
  fc.oneof(
    fc.tuple(
      fc.constantFrom('code_class', 'method', 'route', 'job'),
      fc.constantFrom('=', '!='),
      value,
    ),
    fc.tuple(
      fc.constantFrom('code_class', 'route'),
      fc.constantFrom('=~', '!~'),
      regex.map((r) => JSON.stringify(r)),
    ),
  ),
  fc.tuple(
    fc.constantFrom('nope', '__name__', 'le', '1a'),
    fc.constantFrom('=', '=~', '=='),
    value,
  ),
).map(([l, op, v]) => `${l}${op}${v}`);
const selector = fc
  .tuple(
    mostly(
      fc.constant('http.requests_total'),
      fc.constantFrom('http.request_total', 'http_requests_total', 'proc.open_fds'),
    ),
    fc.array(matcher, { maxLength: 2 }),
    fc.constantFrom(',', ' , ', ',\n'),
  )
  .map(([m, ms, sep]) => (ms.length === 0 ? m : `${m}{${ms.join(sep)}}`));
const duration = mostly(
  fc.oneof(
    fc.constantFrom('30d', '7d', '28d', '90d', '4w', '1y', '292y', '3d', '72h'),
    fc
      .tuple(fc.integer({ min: 3, max: 100_000 }), fc.constantFrom('d', 'w'))
      .map(([n, u]) => `${n}${u}`),
  ),
  fc.constantFrom('300y', '1000000000000000000000d', '2d', '30 days', '1h30m', '0d', '5m'),
);
const labelName = mostly(
  fc.constantFrom('team', 'tier', 'owner'),
  fc.constantFrom('slo', 'severity', '__x', 'bad-name', 'job'),
);
const labels = fc.dictionary(labelName, text, { maxKeys: 2 });
const slo: fc.Arbitrary<Slo> = fc.record(
  {
    name: mostly(fc.constantFrom('a', 'b.c', 'd_e-f'), fc.constantFrom('bad name', '')),
    objective: mostly(
      fc.oneof(
        fc.constantFrom(0.999, 0.99, 0.9999999),
        fc.double({ min: 0.98, max: 0.9999999, noNaN: true }),
      ),
      fc.oneof(fc.constantFrom(0.9, 0.93, 1, 0, -1), fc.double()),
    ),
    period: duration,
    sli: fc.oneof(
      fc.record({ errors: selector, total: selector }),
      fc.record({
        latency: fc.record(
          {
            metric: mostly(
              fc.constant('http.request_latency_ms'),
              fc.constant('http.requests_total'),
            ),
            thresholdMs: mostly(fc.constantFrom(1000, 250, 5), fc.constantFrom(300, -1)),
            match: fc.array(matcher, { maxLength: 2 }).map((m) => m.join(',')),
          },
          { requiredKeys: ['metric', 'thresholdMs'] },
        ),
      }),
    ),
    by: fc.array(
      mostly(
        fc.constantFrom('route', 'method', 'instance'),
        fc.constantFrom('service', 'slo', 'le'),
      ),
      { maxLength: 1 },
    ),
    scope: fc.array(
      mostly(fc.constantFrom('job', 'namespace'), fc.constantFrom('le', 'bad-name')),
      { maxLength: 1 },
    ),
    labels,
    severityLabels: fc.record({ page: labels, ticket: labels }, { requiredKeys: [] }),
    alertName: mostly(
      fc.constantFrom('ErrorBudgetBurn', 'Checkout:Burn'),
      fc.constantFrom('Bad Name', '9x'),
    ),
    runbookUrl: text,
    dashboardUrl: text,
    description: text,
  },
  { requiredKeys: ['name', 'objective', 'sli'] },
) as fc.Arbitrary<Slo>;

withPromtool(
  'fuzz: every configuration the rules accept makes a file promtool check rules accepts',
  async (t) => {
    const configs = fc.sample(fc.array(slo, { minLength: 1, maxLength: 2 }), {
      seed: 29,
      numRuns: 300,
    });
    const files: Record<string, string> = {};
    let refused = 0;
    for (const [i, slos] of configs.entries()) {
      for (const windowScale of [1, 1 / 60]) {
        try {
          files[`rules-${i}-${windowScale === 1 ? 1 : 60}.yml`] = sloRulesYaml(slos, {
            registry: new MetricsRegistry(),
            windowScale,
          });
        } catch (e) {
          if (!(e instanceof SloConfigError)) throw e;
          refused++;
        }
      }
    }
    const accepted = Object.keys(files);
    t.log(`${accepted.length} rule files accepted, ${refused} configurations refused`);
    t.true(accepted.length >= 40, 'enough accepted configurations to mean something');
    t.true(refused >= 40, 'and enough refused ones');
    const r = await promtool(['check', 'rules', ...accepted], tempFiles(t, files));
    if (!r.ok) {
      const failed = r.output.split('\n').filter((l) => /FAILED|error|Checking/i.test(l));
      t.log(failed.slice(0, 40).join('\n'));
    }
    t.true(r.ok, 'promtool check rules');
    t.is(r.output.match(/SUCCESS/g)?.length, accepted.length);
  },
);
