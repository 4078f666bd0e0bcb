import test from 'ava';
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import type { Snapshot } from '../../src';
import { assertPromtoolClean, testWithTools } from '../support/tools';

interface Answer {
  own: Record<string, Snapshot>;
  merged: Snapshot;
  text: string;
  workers: string[];
}

/** A real node:cluster primary with two workers, each sampling its own process once. */
async function run(): Promise<Answer> {
  const app = fork(join(__dirname, 'fixtures', 'process-app.js'), [], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const [answer] = (await once(app, 'message')) as [Answer];
  app.kill();
  return answer;
}

let answer: Promise<Answer> | undefined;
const cluster = () => (answer ??= run());

/** Every worker's own value of a gauge series. */
function own(a: Answer, key: string): number[] {
  const values = Object.values(a.own).map((s) => s.gauges[key]);
  for (const v of values) if (typeof v !== 'number') throw new Error(`no ${key} in a worker`);
  return values;
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

test('each process family merges as its meaning asks, against each worker\u2019s own', async (t) => {
  const a = await cluster();
  t.is(a.workers.length, 2);
  const g = a.merged.gauges;
  const starts = own(a, 'process_start_time_seconds');
  t.not(starts[0], starts[1], 'forked a second apart');
  t.is(g.process_start_time_seconds, Math.min(...starts));
  const version = Object.keys(g).filter((k) => k.startsWith('nodejs_version_info|'));
  t.deepEqual(version, [
    `nodejs_version_info|version=${process.version},major=${process.versions.node.split('.')[0]},minor=${process.versions.node.split('.')[1]},patch=${process.versions.node.split('.')[2]}`,
  ]);
  t.is(g[version[0]], 1, 'one process or two, the version is there once');
  if (process.platform === 'linux') {
    t.is(g.process_max_fds, Math.max(...own(a, 'process_max_fds')));
    t.is(g.process_open_fds, Math.max(...own(a, 'process_open_fds')));
    t.is(g.process_resident_memory_bytes, sum(own(a, 'process_resident_memory_bytes')));
    t.is(g.process_virtual_memory_bytes, sum(own(a, 'process_virtual_memory_bytes')));
  }
  t.is(g.nodejs_heap_size_used_bytes, sum(own(a, 'nodejs_heap_size_used_bytes')));
  t.is(g.nodejs_external_memory_bytes, sum(own(a, 'nodejs_external_memory_bytes')));
  t.is(g['nodejs_active_handles|type=Pipe'], sum(own(a, 'nodejs_active_handles|type=Pipe')));
  t.is(g.nodejs_eventloop_lag_seconds, Math.max(...own(a, 'nodejs_eventloop_lag_seconds')));
  const util = own(a, 'nodejs_eventloop_utilization_ratio');
  t.true(util.every((u) => u > 0));
  t.is(g.nodejs_eventloop_utilization_ratio, sum(util) / util.length);
  t.true(g.nodejs_eventloop_utilization_ratio <= 1);
  const cpu = Object.values(a.own).map((s) => s.counters.process_cpu_seconds_total);
  t.is(a.merged.counters.process_cpu_seconds_total, sum(cpu), 'counters add up');
});

testWithTools('promtool')('the merged process families pass promtool', async (t) => {
  assertPromtoolClean(t, (await cluster()).text);
});
