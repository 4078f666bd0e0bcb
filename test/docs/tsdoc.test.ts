import test from 'ava';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

// An editor shows a public entry's TSDoc from the built declarations: the main ones carry an
// example of their use there.

const DIST = join(__dirname, '..', '..', 'dist');

const ENTRIES: [string, string][] = [
  ['decorators/stage.decorator.d.ts', 'Stage'],
  ['decorators/stage.decorator.d.ts', 'withStage'],
  ['decorators/external-call.decorator.d.ts', 'ExternalCall'],
  ['decorators/external-call.decorator.d.ts', 'withExternalCall'],
  ['decorators/route.decorator.d.ts', 'Route'],
  ['decorators/traced.decorator.d.ts', 'Traced'],
  ['decorators/timed.decorator.d.ts', 'Timed'],
  ['decorators/timed.decorator.d.ts', 'Counted'],
  ['http/middleware.d.ts', 'httpMetrics'],
  ['controller/metrics-controller.d.ts', 'MetricsController'],
  ['controller/metrics-handler.d.ts', 'createMetricsHandler'],
];

for (const [file, name] of ENTRIES) {
  test(`${name} is documented with an example in its declarations`, (t) => {
    const text = readFileSync(join(DIST, file), 'utf8');
    const at = text.search(new RegExp(`export declare (function|class) ${name}\\b`));
    t.true(at > 0, `${name} is declared in ${file}`);
    const doc = text.slice(text.lastIndexOf('/**', at), at);
    t.regex(doc, /@example\n \* ```ts\n/);
  });
}
