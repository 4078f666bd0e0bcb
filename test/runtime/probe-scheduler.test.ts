import test from 'ava';
import { ProbeScheduler, type Probe } from '../../src/runtime/probe-scheduler';
import { dropped, logsAbout, newRegistry } from '../support/registry';
import { deferred, SettleLog } from './sampler-helpers';

function scheduler(probes: Probe[], timeoutMs = 30) {
  const { registry, logs } = newRegistry();
  const log = new SettleLog();
  const s = new ProbeScheduler(probes, {
    intervalMs: 5,
    timeoutMs,
    report: (reason, probe, detail) => registry.drop(reason, `probe ${probe}`, detail),
    onSettled: log.onSettled,
  });
  return { s, registry, logs, log };
}

test('a hung probe is abandoned once, counted once, and not called again while pending', async (t) => {
  const answer = deferred<void>();
  let hungCalls = 0;
  let ticks = 0;
  const { s, registry, logs, log } = scheduler([
    { name: 'hung', run: () => (hungCalls++ === 0 ? answer.promise : undefined) },
    { name: 'tick', run: () => void ticks++ },
  ]);
  t.teardown(() => s.stop());
  s.start();
  await log.until(
    () => dropped(registry, 'probe_timeout') === 1 && log.count('tick') >= 20,
    'the timeout and twenty ticks',
  );
  const after = log.count('tick');
  await log.until(() => log.count('tick') >= after + 20, 'twenty more ticks');
  t.is(hungCalls, 1);
  t.is(dropped(registry, 'probe_timeout'), 1);
  t.is(logsAbout(logs, 'probe hung').length, 1);
  t.is(log.count('hung'), 0);

  answer.resolve();
  await log.until(() => log.count('hung') >= 3, 'the probe settling and running again');
  t.true(hungCalls >= 3);
  t.is(dropped(registry, 'probe_timeout'), 1);
  t.is(dropped(registry, 'probe_error'), 0);
});

test('a probe that throws or rejects is counted on every run and logged once per reason', async (t) => {
  const { s, registry, logs } = scheduler([
    {
      name: 'throws',
      run: () => {
        throw new Error('token=abcdef0123456789abcdef0123456789');
      },
    },
    { name: 'rejects', run: () => Promise.reject(new TypeError('bad')) },
  ]);
  await s.runAll();
  await s.runAll();
  await s.runAll();
  t.is(dropped(registry, 'probe_error'), 6);
  t.is(logsAbout(logs, 'probe throws').length, 1);
  t.is(logsAbout(logs, 'probe rejects').length, 1);
  t.false(
    logs.some((l) => l.includes('abcdef0123456789')),
    logs.join('\n'),
  );
  t.regex(logsAbout(logs, 'probe rejects')[0], /TypeError: bad/);
});

test('runAll() waits for a pending run only until its timeout, and never rejects', async (t) => {
  const { s, registry } = scheduler(
    [{ name: 'never', run: () => new Promise<void>(() => {}) }],
    20,
  );
  await s.runAll();
  t.is(dropped(registry, 'probe_timeout'), 1);
  // Already abandoned: a second call neither calls the probe nor waits, nor counts again.
  await s.runAll();
  t.is(dropped(registry, 'probe_timeout'), 1);
});

test('start() and stop() are idempotent; runAll() samples once when stopped', async (t) => {
  let runs = 0;
  const { s, log } = scheduler([{ name: 'p', run: () => void runs++ }]);
  s.start();
  s.start();
  t.true(s.running);
  await log.until(() => log.count('p') >= 3, 'three runs');
  s.stop();
  s.stop();
  t.false(s.running);
  const stopped = runs;
  await s.runAll();
  t.is(runs, stopped + 1, 'runAll() still samples once when stopped');
});
