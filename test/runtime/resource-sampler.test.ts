import test from 'ava';
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statfsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { MetricsRegistry } from '../../src';
import { ResourceSampler } from '../../src';

const MB = 1048576;
const ROOT = join(__dirname, '..', '..');

test('gauges agree with process.memoryUsage() and fs.statfs of the same folder', async (t) => {
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
});

test('a missing scratch folder is logged once and leaves the gauge unset', async (t) => {
  const logged: string[] = [];
  const registry = new MetricsRegistry({ logger: (m) => logged.push(m) });
  const missing = join(tmpdir(), 'obsweave-does-not-exist', String(process.pid));
  const sampler = new ResourceSampler({ registry, scratchDir: missing });
  await sampler.sampleOnce();
  await sampler.sampleOnce();
  t.is(logged.filter((m) => m.includes(missing)).length, 1);
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
  const until = Date.now() + 300;
  while (Date.now() < until);
  await new Promise((r) => setTimeout(r, 50));
  await sampler.sampleOnce();

  const lag = registry.snapshot().histograms['event_loop.lag_ms'];
  t.true(lag.count > 0);
  t.true(lag.count - lag.buckets['100'] >= 1, 'the stall shows as a lag above 100 ms');
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
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['-r', 'ts-node/register/transpile-only', '-e', code],
    { cwd: ROOT, timeout: 60_000 },
  );
  t.is(stdout.trim(), 'started');
});
