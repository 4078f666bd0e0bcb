import test from 'ava';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

// An editor shows the SLO entries' TSDoc from the built declarations: each carries an example.

const DIST = join(__dirname, '..', '..', 'dist');

for (const [file, name] of [
  ['slo/rules.d.ts', 'sloRules'],
  ['slo/yaml.d.ts', 'sloRulesYaml'],
  ['slo/tests.d.ts', 'sloTests'],
]) {
  test(`${name} is documented with an example in its declarations`, (t) => {
    const text = readFileSync(join(DIST, file), 'utf8');
    const at = text.search(new RegExp(`export declare function ${name}\\b`));
    t.true(at > 0, `${name} is declared in ${file}`);
    const doc = text.slice(text.lastIndexOf('/**', at), at);
    t.regex(doc, /@example\n \* ```ts\n/);
  });
}
