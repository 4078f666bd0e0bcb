import test from 'ava';
import { type MetricsRegistry } from '../../src';
import { MetricsPusher, pushMetrics } from '../../src/push';
import { findTool, testWithTools } from '../support/tools';
import { startPushgateway, type Pushgateway, type Sample } from '../support/pushgateway';
import { dropped, newRegistry } from '../support/registry';

// One gateway for the file; every test pushes under its own job, so they run side by side.
const withGateway = testWithTools('prometheus-pushgateway');
let gateway: Pushgateway | undefined;

test.before(async () => {
  const binary = findTool('prometheus-pushgateway');
  if (binary !== undefined) gateway = await startPushgateway(binary);
});
test.after.always(async () => {
  await gateway?.stop();
});

function gw(): Pushgateway {
  if (gateway === undefined) throw new Error('prometheus-pushgateway did not start');
  return gateway;
}

async function seriesOf(job: string): Promise<Sample[]> {
  return (await gw().samples()).filter((s) => s.labels.job === job);
}

function value(samples: Sample[], name: string, labels: Record<string, string> = {}) {
  const found = samples.filter(
    (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  );
  return found.length === 1 ? found[0].value : found.length === 0 ? undefined : NaN;
}

function batchRegistry(): MetricsRegistry {
  const { registry } = newRegistry();
  registry.counter('etl.rows_total', { labelNames: ['table'] }).inc(120, { table: 'users' });
  registry.gauge('etl.last_success_ts').set(1700000000);
  const h = registry.histogram('etl.batch_latency_ms', { buckets: [100, 1000] });
  h.observe(50);
  h.observe(400);
  h.observe(4000);
  return registry;
}

withGateway('put: the gateway serves the pushed series under the job label', async (t) => {
  const registry = batchRegistry();
  const r = await pushMetrics(registry, { url: gw().url, job: 'put-test' });
  t.deepEqual(r, { ok: true, status: 200, attempts: 1 });
  const s = await seriesOf('put-test');
  t.is(value(s, 'etl_rows_total', { table: 'users' }), 120);
  t.is(value(s, 'etl_last_success_ts'), 1700000000);
  t.is(value(s, 'etl_batch_latency_seconds_bucket', { le: '0.1' }), 1);
  t.is(value(s, 'etl_batch_latency_seconds_bucket', { le: '1' }), 2);
  t.is(value(s, 'etl_batch_latency_seconds_bucket', { le: '+Inf' }), 3);
  t.is(value(s, 'etl_batch_latency_seconds_sum'), 4.45);
  t.is(value(s, 'etl_batch_latency_seconds_count'), 3);
  t.true(value(s, 'push_time_seconds')! > 0, 'the gateway stamped the push');
  t.is(value(s, 'push_failure_time_seconds'), 0);
  t.is(dropped(registry, 'push_error'), 0);
});

withGateway('grouping labels, a "/" and an empty value included, arrive as given', async (t) => {
  const registry = batchRegistry();
  const groupingKey = { instance: 'host-1', path: '/var/spool/in', shard: '' };
  const r = await pushMetrics(registry, { url: gw().url, job: 'group/test', groupingKey });
  t.true(r.ok, r.error);
  const s = (await gw().samples()).filter((x) => x.labels.job === 'group/test');
  const rows = s.filter((x) => x.name === 'etl_rows_total');
  t.is(rows.length, 1);
  t.is(rows[0].labels.instance, 'host-1');
  t.is(rows[0].labels.path, '/var/spool/in');
  t.is(rows[0].labels.shard ?? '', '', 'an empty grouping value is an empty label');
  t.is(rows[0].value, 120);
});

withGateway('post replaces only the families pushed; put replaces the group', async (t) => {
  const url = gw().url;
  const job = 'post-test';
  const first = newRegistry().registry;
  first.counter('a.done_total').inc(1);
  first.counter('b.done_total').inc(2);
  t.true((await pushMetrics(first, { url, job })).ok);

  const second = newRegistry().registry;
  second.counter('b.done_total').inc(20);
  t.true((await pushMetrics(second, { url, job, method: 'post' })).ok);
  let s = await seriesOf(job);
  t.is(value(s, 'a_done_total'), 1, 'post kept a family it did not push');
  t.is(value(s, 'b_done_total'), 20, 'post replaced the family it pushed');

  t.true((await pushMetrics(second, { url, job, method: 'put' })).ok);
  s = await seriesOf(job);
  t.is(value(s, 'a_done_total'), undefined, 'put dropped what it did not push');
  t.is(value(s, 'b_done_total'), 20);
});

withGateway('delete removes the group, and only that group', async (t) => {
  const url = gw().url;
  const registry = batchRegistry();
  t.true((await pushMetrics(registry, { url, job: 'delete-test', groupingKey: { i: '1' } })).ok);
  t.true((await pushMetrics(registry, { url, job: 'delete-test', groupingKey: { i: '2' } })).ok);
  const r = await pushMetrics(registry, {
    url,
    job: 'delete-test',
    groupingKey: { i: '1' },
    method: 'delete',
  });
  t.true(r.ok);
  t.is(r.status, 202);
  // The gateway applies a delete from its write queue: a read just after the 202 may still
  // find the group, so the read is repeated until it is gone (or 5 s have passed).
  const groups = async () =>
    (await seriesOf('delete-test')).filter((x) => x.name === 'etl_rows_total');
  let left = await groups();
  for (const until = Date.now() + 5000; left.length > 1 && Date.now() < until;) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    left = await groups();
  }
  t.deepEqual(
    left.map((x) => x.labels.i),
    ['2'],
  );
});

withGateway('the periodic pusher pushes while running and once more on stop', async (t) => {
  const { registry } = newRegistry();
  const rows = registry.counter('etl.rows_total');
  rows.inc(1);
  const pusher = new MetricsPusher(registry, { url: gw().url, job: 'pusher-test', intervalMs: 20 });
  pusher.start();
  const deadline = Date.now() + 10000;
  while (value(await seriesOf('pusher-test'), 'etl_rows_total') !== 1) {
    if (Date.now() > deadline) t.fail('no periodic push seen');
    await new Promise((r) => setTimeout(r, 20));
  }
  rows.inc(41);
  const last = await pusher.stop();
  t.true(last.ok);
  // Right after stop() resolves, with no tick in between: the final push carried the 42.
  t.is(value(await seriesOf('pusher-test'), 'etl_rows_total'), 42);
});

withGateway(
  'default labels travel on every pushed series; the gateway’s job and grouping labels win a clash',
  async (t) => {
    const registry = batchRegistry();
    registry.setDefaultLabels({ service: 'etl', instance: 'from-default', job: 'from-default' });
    const r = await pushMetrics(registry, {
      url: gw().url,
      job: 'defaults-test',
      groupingKey: { instance: 'host-9' },
    });
    t.true(r.ok, r.error);
    const s = await seriesOf('defaults-test');
    const pushed = s.filter((x) => x.name.startsWith('etl_'));
    t.true(pushed.length > 0);
    for (const x of pushed) {
      t.is(x.labels.service, 'etl', x.name);
      t.is(x.labels.instance, 'host-9', x.name);
      t.is(x.labels.job, 'defaults-test', x.name);
    }
    t.is(value(s, 'etl_batch_latency_seconds_count', { service: 'etl' }), 3);
  },
);
