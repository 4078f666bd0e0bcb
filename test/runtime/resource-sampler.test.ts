import test from 'ava';
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statfsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { MetricsRegistry, ResourceSampler } from '../../src';
import { dropped, logsAbout, newRegistry } from '../support/registry';
import { deferred, SettleLog, withSeams } from './sampler-helpers';
import { TS_REGISTER } from '../support/typescript';

const MB = 1048576;
const ROOT = join(__dirname, '..', '..');

// Serial: the other tests of this file spawn processes and open pipes, which moves this
// process' descriptor count between the sampler's reading and the test's.
test.serial(
  'gauges agree with process.memoryUsage() and fs.statfs of the same folder',
  async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'obsweave-scratch-'));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    const registry = new MetricsRegistry();
    const sampler = new ResourceSampler({ registry, scratchDir: dir });

    const rssBefore = process.memoryUsage().rss;
    await sampler.sampleOnce();
    const rssAfter = process.memoryUsage().rss;
    const st = statfsSync(dir);
    const g = registry.snapshot().gauges;

    // RSS moves between two reads; allow that movement plus 16 MB.
    const rss = g['proc.memory_rss_mb'];
    t.true(rss >= Math.min(rssBefore, rssAfter) / MB - 16, `rss ${rss} MB`);
    t.true(rss <= Math.max(rssBefore, rssAfter) / MB + 16, `rss ${rss} MB`);

    // df's Use%: used / (used + available to unprivileged users).
    const used = st.blocks - st.bfree;
    const expectedPct = (used / (used + st.bavail)) * 100;
    t.true(
      Math.abs(g['scratch.disk_used_pct'] - expectedPct) < 1,
      `${g['scratch.disk_used_pct']} vs ${expectedPct}`,
    );

    if (process.platform === 'linux') {
      const fds = readdirSync('/proc/self/fd').length - 1;
      t.true(Math.abs(g['proc.open_fds'] - fds) <= 16, `${g['proc.open_fds']} vs ${fds}`);
    }
  },
);

test('a missing scratch folder is logged once, counted each time, and leaves the gauge unset', async (t) => {
  const logged: string[] = [];
  const registry = new MetricsRegistry({ logger: (m) => logged.push(m) });
  const missing = join(tmpdir(), 'obsweave-does-not-exist', String(process.pid));
  const sampler = new ResourceSampler({ registry, scratchDir: missing });
  await sampler.sampleOnce();
  await sampler.sampleOnce();
  t.is(logged.filter((m) => m.includes(missing)).length, 1);
  t.is(dropped(registry, 'probe_error'), 2);
  const g = registry.snapshot().gauges;
  t.false('scratch.disk_used_pct' in g);
  t.true(g['proc.memory_rss_mb'] > 0);
});

test('start() samples at once, lag reflects a stalled loop, stop() is idempotent', async (t) => {
  const registry = new MetricsRegistry();
  const sampler = new ResourceSampler({ registry, intervalMs: 3_600_000 });
  sampler.start();
  t.true(registry.snapshot().gauges['proc.memory_rss_mb'] > 0, 'sampled by start()');

  // Let the monitor see an ordinary loop, then stall it for 300 ms between two of its checks.
  await new Promise((r) => setTimeout(r, 100));
  // Stall in the check phase, not inside the timer callback: on a loop that was busy at first,
  // the 100 ms timer can run before the monitor's first check, which only sets its baseline,
  // and a stall there would go unseen. By the check phase that first check has run.
  await new Promise((r) => setImmediate(r));
  const until = Date.now() + 300;
  while (Date.now() < until);
  await new Promise((r) => setTimeout(r, 50));
  await sampler.sampleOnce();

  const lag = registry.snapshot().histograms['event_loop.lag_ms'];
  t.true(lag.count > 0);
  t.true(
    lag.count - lag.buckets['100'] >= 1,
    `the stall shows as a lag above 100 ms: ${JSON.stringify(lag)}`,
  );
  sampler.stop();
  sampler.stop();
  t.false(sampler.running);
});

test('a process that starts a sampler exits by itself', async (t) => {
  const code = [
    "const { ResourceSampler } = require('./src');",
    "new ResourceSampler({ intervalMs: 5, scratchDir: '.' }).start();",
    "console.log('started');",
  ].join('\n');
  // The timeout only stops a hung child; reaching it fails the test.
  const { stdout } = await promisify(execFile)(process.execPath, ['-r', TS_REGISTER, '-e', code], {
    cwd: ROOT,
    timeout: 60_000,
  });
  t.is(stdout.trim(), 'started');
});

const DISK = { blocks: 1000, bfree: 400, bavail: 300 };

test('a statfs that never answers stops only the scratch gauge: every other probe keeps its interval', async (t) => {
  const { registry, logs } = newRegistry();
  const log = new SettleLog();
  const answer = deferred<typeof DISK>();
  let calls = 0;
  const sampler = new ResourceSampler(
    withSeams(
      { registry, scratchDir: '/mnt/dead-nfs', intervalMs: 10, probeTimeoutMs: 200 },
      {
        statfs: () => {
          calls++;
          return calls === 1 ? answer.promise : Promise.resolve(DISK);
        },
        onSettled: log.onSettled,
      },
    ),
  );
  t.teardown(() => sampler.stop());
  sampler.start();
  const others = () => log.probes().filter((p) => p !== 'scratch-disk');
  const scratchLogs = () => logsAbout(logs, 'scratch-disk');
  await log.until(
    () => scratchLogs().length === 1 && others().every((p) => log.count(p) >= 5),
    'the timeout, and five runs of every other probe',
  );
  // A real /proc read may also pass its timeout on a loaded machine: count at least this one.
  const timeouts = dropped(registry, 'probe_timeout');
  t.true(timeouts >= 1);
  t.true(others().length >= 8, `probes: ${others().join(', ')}`);
  t.is(log.count('scratch-disk'), 0);
  const g = registry.snapshot().gauges;
  t.true(g['proc.memory_rss_mb'] > 0);
  t.true(g['nodejs_eventloop_lag_seconds'] >= 0);
  t.false('scratch.disk_used_pct' in g);

  // Still hung many ticks later: never called again, counted and logged once.
  const lagRuns = log.count('event-loop-lag');
  await log.until(() => log.count('event-loop-lag') >= lagRuns + 10, 'ten more lag samples');
  t.is(calls, 1, 'a pending statfs is not called again');
  const about = scratchLogs();
  t.is(about.length, 1, about.join('\n'));
  t.regex(about[0], /no answer within 200 ms/);

  // The mount comes back: its answer sets the gauge and the probe resumes its schedule.
  answer.resolve(DISK);
  await log.until(() => log.count('scratch-disk') >= 3, 'the scratch probe running again');
  t.true(calls >= 3);
  t.is(registry.snapshot().gauges['scratch.disk_used_pct'], (600 / 900) * 100);
  t.is(scratchLogs().length, 1);
});

test('a statfs that throws is counted on every run, logged once and redacted; the rest keep sampling', async (t) => {
  const { registry, logs } = newRegistry();
  const log = new SettleLog();
  const sampler = new ResourceSampler(
    withSeams(
      { registry, scratchDir: '/mnt/filer', intervalMs: 10 },
      {
        statfs: () => {
          throw new Error('mount nfs://admin:hunter2@filer.internal/export is gone');
        },
        onSettled: log.onSettled,
      },
    ),
  );
  t.teardown(() => sampler.stop());
  sampler.start();
  await log.until(
    () => log.count('scratch-disk') >= 5 && log.count('memory') >= 5,
    'five runs of the scratch and memory probes',
  );
  t.true(dropped(registry, 'probe_error') >= 5);
  t.is(dropped(registry, 'probe_timeout'), 0);
  const about = logsAbout(logs, 'scratch-disk');
  t.is(about.length, 1, about.join('\n'));
  t.regex(about[0], /filer\.internal/);
  t.false(
    logs.some((l) => l.includes('hunter2')),
    'the password never reaches the log',
  );
  t.false('scratch.disk_used_pct' in registry.snapshot().gauges);
});

test('bad options throw at construction with an obsweave: message', (t) => {
  const registry = new MetricsRegistry();
  t.throws(() => new ResourceSampler({ registry, probeTimeoutMs: 0 }), {
    message: /^obsweave: probeTimeoutMs/,
  });
  t.throws(() => new ResourceSampler({ registry, prefix: '9x' }), { message: /^obsweave: prefix/ });
  t.throws(() => new ResourceSampler({ registry, processMetrics: 'no' as unknown as boolean }), {
    message: /^obsweave: processMetrics/,
  });
});
