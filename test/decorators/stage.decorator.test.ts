import test from 'ava';
import { MetricsRegistry } from '../../src';
import * as api from '../../src';
import { Stage, withStage } from '../../src';
import type { Api } from '../fixtures/standard/api';
import type * as Forms from '../fixtures/standard/forms.fixture';
import { runChecklist } from './checklist';
import { DIALECTS, fixture } from './helpers';
import { counter, histCount, total, quietRegistry } from '../support/registry';

const LAT = 'worker.stage_latency_ms|stage=';
const FAIL = 'worker.stage_failures_total|stage=';

runChecklist({
  title: '@Stage',
  decorate:
    (a, { registry }) =>
    () =>
      a.Stage(undefined, { registry }),
  recorder: ({ registry }) => ({
    total: (m) => histCount(registry, LAT + m),
    failed: (m) => total(registry, `${FAIL}${m},`),
  }),
});

for (const dialect of DIALECTS) {
  test(`@Stage [${dialect}]: class form covers own methods, method-level wins, accessors and statics skipped`, async (t) => {
    const registry = quietRegistry();
    const { classLevel } = fixture<typeof Forms>(dialect, 'forms.fixture');
    const Pipeline = classLevel(api as unknown as Api, registry);
    const p = new Pipeline();
    t.is(p.download('u'), 'u');
    t.is(p.transcode(), 'transcoded');
    t.is(await p.upload(), 'uploaded');
    t.is(p.value, 1);
    t.is(Pipeline.helper(), 'static');
    t.is(histCount(registry, `${LAT}download`), 1);
    t.is(histCount(registry, `${LAT}upload`), 1);
    t.is(histCount(registry, `${LAT}custom`), 1);
    t.is(histCount(registry, `${LAT}transcode`), 0, 'the method-level @Stage wins');
    const keys = Object.keys(registry.snapshot().histograms).filter((k) => k.startsWith(LAT));
    t.deepEqual(keys.sort(), [`${LAT}custom`, `${LAT}download`, `${LAT}upload`]);
    t.is(Pipeline.made, 1, 'the constructor is untouched');
    const d = Object.getOwnPropertyDescriptor(Pipeline.prototype, 'value');
    t.is(typeof d?.get, 'function');
  });

  test(`@Stage [${dialect}]: applying the class decorator again wraps nothing twice`, (t) => {
    const registry = quietRegistry();
    const { classLevel } = fixture<typeof Forms>(dialect, 'forms.fixture');
    const Pipeline = classLevel(api as unknown as Api, registry);
    (Stage(undefined, { registry }) as (c: Function) => void)(Pipeline);
    new Pipeline().download('x');
    t.is(histCount(registry, `${LAT}download`), 1);
  });

  test(`@Stage [${dialect}]: misuse throws at decoration time, naming the decorator`, (t) => {
    const { misuses } = fixture<typeof Forms>(dialect, 'forms.fixture');
    for (const [what, define] of Object.entries(misuses)) {
      const e = t.throws(() => define(api as unknown as Api), undefined, what);
      t.true(e?.message.includes('@Stage'), `${what}: ${e?.message}`);
    }
  });
}

test('@Stage: bad arguments throw at once with the decorator name', (t) => {
  t.throws(() => Stage(42 as unknown as string), { message: /@Stage/ });
  t.throws(() => Stage(''), { message: /@Stage/ });
  t.throws(() => Stage('x', 'y' as unknown as object), { message: /@Stage/ });
  t.throws(() => Stage('x', { registry: {} as MetricsRegistry }), { message: /@Stage/ });
});

test('@Stage: failure codes are errCode, at most 20 per stage, then "other"', (t) => {
  const registry = quietRegistry();
  class W {
    @Stage('fetch', { registry })
    fail(code: string): never {
      throw Object.assign(new Error(`message ${code} never becomes a label`), { code });
    }
  }
  const w = new W();
  for (let i = 0; i < 25; i++) t.throws(() => w.fail(`E_${i}`));
  t.throws(() => w.fail('E_0'));
  t.is(counter(registry, `${FAIL}fetch,code=E_0`), 2);
  t.is(counter(registry, `${FAIL}fetch,code=E_19`), 1);
  t.is(counter(registry, `${FAIL}fetch,code=E_20`), 0);
  t.is(counter(registry, `${FAIL}fetch,code=other`), 5);
  t.is(histCount(registry, `${LAT}fetch`), 26);
  t.false(Object.keys(registry.snapshot().counters).some((k) => k.includes('message')));
});

test('withStage runs the function now and records it, sync and async', async (t) => {
  const registry = quietRegistry();
  t.is(
    withStage('probe', () => 7, { registry }),
    7,
  );
  const e = new Error('x');
  await t.throwsAsync(
    withStage('probe', async () => Promise.reject(e), { registry }),
    { is: e },
  );
  t.is(histCount(registry, `${LAT}probe`), 2);
  t.is(counter(registry, `${FAIL}probe,code=Error`), 1);
  t.throws(() => withStage('', () => 1), { message: /withStage/ });
});

test('@Stage defines its metrics as the catalog does, so registerCatalog() reuses them', (t) => {
  const logs: string[] = [];
  const registry = new MetricsRegistry({ logger: (m) => logs.push(m) });
  class W {
    @Stage('a', { registry })
    run(): number {
      return 1;
    }
  }
  registry.registerCatalog();
  new W().run();
  t.is(histCount(registry, `${LAT}a`), 1);
  t.deepEqual(logs, []);
  t.is(registry.snapshot().counters['obsweave.dropped_total|reason=conflict'] ?? 0, 0);
});
