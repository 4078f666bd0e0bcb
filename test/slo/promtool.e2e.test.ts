import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExecutionContext } from 'ava';
import { MetricsRegistry } from '../../src';
import { DEFAULT_SLOS, sloRules, sloRulesYaml } from '../../src/slo';
import { findTool, testWithTools } from '../support/tools';
import { everyKind } from './every-kind';
import { DEFAULT_FIXTURES, EVERY_KIND_FIXTURES } from './fixtures';
import { ruleTests, type Fixture } from './rule-tests';

const withPromtool = testWithTools('promtool');

function promtool(t: ExecutionContext, args: string[]): string {
  const r = spawnSync(findTool('promtool')!, args, { encoding: 'utf8' });
  const out = `${r.stdout}${r.stderr}`;
  if (r.status !== 0) t.log(out);
  t.is(r.status, 0, `promtool ${args.slice(0, 2).join(' ')}`);
  return out;
}

function tempDir(t: ExecutionContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'obsweave-slo-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

withPromtool(
  'promtool check rules accepts the rules of DEFAULT_SLOS, at full and small scale',
  (t) => {
    const dir = tempDir(t);
    for (const windowScale of [1, 1 / 60]) {
      const file = join(dir, `default-${windowScale}.yml`);
      writeFileSync(
        file,
        sloRulesYaml(DEFAULT_SLOS, { registry: new MetricsRegistry(), windowScale }),
      );
      t.regex(promtool(t, ['check', 'rules', file]), /SUCCESS: 48 rules found/);
    }
  },
);

withPromtool('promtool check rules accepts a config with every SLI kind', (t) => {
  const { registry, slos } = everyKind();
  const file = join(tempDir(t), 'every-kind.yml');
  writeFileSync(file, sloRulesYaml(slos, { registry }));
  t.regex(promtool(t, ['check', 'rules', file]), /SUCCESS: 36 rules found/);
});

function unitTests(title: string, fixtures: Fixture[], rules: () => ReturnType<typeof everyKind>) {
  for (const fixture of fixtures) {
    withPromtool(
      `promtool test rules: ${title} "${fixture.slo.name}" pages on a fast burn, tickets on a slow one, is quiet at the objective and resolves`,
      (t) => {
        const { registry, slos } = rules();
        const dir = tempDir(t);
        const rulesFile = join(dir, 'rules.yml');
        writeFileSync(rulesFile, sloRulesYaml(slos, { registry }));
        const testFile = join(dir, 'test.yml');
        writeFileSync(testFile, ruleTests(fixture, sloRules(slos, { registry }), rulesFile));
        const started = Date.now();
        t.regex(promtool(t, ['test', 'rules', testFile]), /SUCCESS/);
        t.log(`promtool test rules: ${Date.now() - started} ms`);
      },
    );
  }
}

unitTests('DEFAULT_SLOS', DEFAULT_FIXTURES, () => ({
  registry: new MetricsRegistry(),
  slos: [...DEFAULT_SLOS],
}));
unitTests('every SLI kind', EVERY_KIND_FIXTURES, everyKind);
