import { MetricsRegistry } from '../../src';
import { DEFAULT_SLOS, sloRulesYaml, sloTests, type Slo } from '../../src/slo';
import { testWithTools } from '../support/tools';
import { everyKind } from './every-kind';
import { promtool, tempFiles } from './promtool';

const withPromtool = testWithTools('promtool');

withPromtool(
  'promtool check rules accepts the rules of DEFAULT_SLOS and of every SLI kind, at full and small scale',
  async (t) => {
    const { registry, slos } = everyKind();
    const files: Record<string, string> = {};
    for (const windowScale of [1, 1 / 60]) {
      files[`default-${windowScale}.yml`] = sloRulesYaml(DEFAULT_SLOS, {
        registry: new MetricsRegistry(),
        windowScale,
      });
      files[`every-kind-${windowScale}.yml`] = sloRulesYaml(slos, { registry, windowScale });
    }
    const dir = tempFiles(t, files);
    const r = await promtool(['check', 'rules', ...Object.keys(files)], dir);
    t.true(r.ok, r.output);
    t.is(r.output.match(/SUCCESS: 52 rules found/g)?.length, 2, r.output);
    t.is(r.output.match(/SUCCESS: 39 rules found/g)?.length, 2, r.output);
  },
);

/** Each SLO in a rule file of its own (the tests evaluate only its groups), one promtool run. */
async function unitTests(
  slos: readonly Slo[],
  registry: () => MetricsRegistry,
  edit = (s: string) => s,
) {
  const files: Record<string, string> = {};
  slos.forEach((slo, i) => {
    files[`rules-${i}.yml`] = sloRulesYaml([slo], { registry: registry() });
    files[`tests-${i}.yml`] = edit(
      sloTests([slo], { registry: registry(), rulesFile: `rules-${i}.yml` }),
    );
  });
  return files;
}

withPromtool(
  'promtool test rules: for each of DEFAULT_SLOS a fast burn pages, a slow one tickets, the objective and no traffic are quiet, absent data alerts',
  async (t) => {
    const files = await unitTests(DEFAULT_SLOS, () => new MetricsRegistry());
    const tests = Object.keys(files).filter((f) => f.startsWith('tests-'));
    const r = await promtool(['test', 'rules', ...tests], tempFiles(t, files));
    t.true(r.ok, r.output);
    t.is(r.output.match(/SUCCESS/g)?.length, tests.length, r.output);
  },
);

withPromtool(
  'promtool test rules: every SLI kind, with periods of 7, 30 and 90 days, tested together in one file as the CLI writes them',
  async (t) => {
    const { registry, slos } = everyKind();
    const files = {
      'slo-rules.yml': sloRulesYaml(slos, { registry }),
      'slo-tests.yml': sloTests(slos, { registry }),
    };
    const r = await promtool(['test', 'rules', 'slo-tests.yml'], tempFiles(t, files));
    t.true(r.ok, r.output);
    t.regex(r.output, /SUCCESS/);
  },
);

withPromtool(
  'a latency SLO pages on series Prometheus 3 spells le="1.0" as on le="1"',
  async (t) => {
    const { registry, slos } = everyKind();
    const search = slos.filter((s) => s.name === 'search-latency');
    const prom2 = sloTests(search, { registry });
    t.regex(prom2, /le="1"/);
    const files = {
      'slo-rules.yml': sloRulesYaml(search, { registry }),
      'prometheus2.yml': prom2,
      'prometheus3.yml': prom2.replaceAll('le="1"', 'le="1.0"'),
    };
    const r = await promtool(
      ['test', 'rules', 'prometheus2.yml', 'prometheus3.yml'],
      tempFiles(t, files),
    );
    t.true(r.ok, r.output);
    t.is(r.output.match(/SUCCESS/g)?.length, 2, r.output);
  },
);

withPromtool(
  'with traffic and no error series yet, the error ratio is 0 and the budget whole; without traffic NaN',
  async (t) => {
    const slo = DEFAULT_SLOS[0];
    const files = {
      'slo-rules.yml': sloRulesYaml([slo], { registry: new MetricsRegistry() }),
      'test.yml': JSON.stringify({
        rule_files: ['slo-rules.yml'],
        evaluation_interval: '1m',
        tests: [
          {
            interval: '1m',
            input_series: [
              { series: 'http_requests_total{job="api",code_class="2xx"}', values: '0+100x30' },
              { series: 'http_requests_total{job="idle",code_class="2xx"}', values: '5+0x30' },
            ],
            promql_expr_test: [
              {
                expr: 'slo:sli_error:ratio_rate5m{job="api"}',
                eval_time: '20m',
                exp_samples: [
                  {
                    labels: 'slo:sli_error:ratio_rate5m{job="api",slo="http-availability"}',
                    value: 0,
                  },
                ],
              },
              {
                expr: 'slo:period_error_budget_remaining:ratio{job="api"}',
                eval_time: '20m',
                exp_samples: [
                  {
                    labels:
                      'slo:period_error_budget_remaining:ratio{job="api",slo="http-availability"}',
                    value: 1,
                  },
                ],
              },
              {
                // Only NaN differs from itself.
                expr: 'count(slo:sli_error:ratio_rate5m{job="idle"} != slo:sli_error:ratio_rate5m{job="idle"})',
                eval_time: '20m',
                exp_samples: [{ labels: '{}', value: 1 }],
              },
            ],
          },
        ],
      }),
    };
    const r = await promtool(['test', 'rules', 'test.yml'], tempFiles(t, files));
    t.true(r.ok, r.output);
  },
);
