import test from 'ava';
import { pushMetrics } from '../../src/push';
import { startPushgateway } from '../support/pushgateway';
import { delimited, msgs, num, str, labels, packedSint } from '../support/protobuf-decode';
import { newRegistry } from '../support/registry';
import { findTool, testWithTools } from '../support/tools';

testWithTools('prometheus-pushgateway')(
  'a registry with a native histogram is pushed as protobuf, and the gateway serves its native buckets',
  async (t) => {
    const gw = await startPushgateway(findTool('prometheus-pushgateway')!);
    t.teardown(() => gw.stop());
    const { registry } = newRegistry();
    registry.counter('etl.rows_total').inc(120);
    const h = registry.histogram('etl.batch_latency_ms', { native: true, buckets: [1000] });
    for (const v of [50, 400, 4000]) h.observe(v);

    const r = await pushMetrics(registry, { url: gw.url, job: 'native' });
    t.deepEqual(r, { ok: true, status: 200, attempts: 1 });

    const res = await fetch(`${gw.url}/metrics`, {
      headers: {
        accept:
          'application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited',
      },
    });
    const fams = delimited(Buffer.from(await res.arrayBuffer()));
    const fam = fams.find((f) => str(f, 1) === 'etl_batch_latency_seconds');
    t.truthy(fam, `families: ${fams.map((f) => str(f, 1)).join(', ')}`);
    const metric = msgs(fam!, 4).find((m) => labels(m).job === 'native')!;
    const hist = msgs(metric, 7)[0];
    t.is(num(hist, 1), 3);
    t.is(num(hist, 2), 4.45);
    t.true(msgs(hist, 12).length > 0, 'positive spans kept');
    // 50 ms, 400 ms and 4 s: three schema-3 buckets, each counted once.
    const deltas = packedSint(hist, 13);
    let count = 0;
    t.is(
      deltas.map((d) => (count += d)).reduce((a, b) => a + b, 0),
      3,
    );
    t.is(
      fams.find((f) => str(f, 1) === 'etl_rows_total') !== undefined,
      true,
      'the counter came along',
    );
  },
);

test('without a native histogram the push stays text', async (t) => {
  const { registry } = newRegistry();
  registry.counter('c_total').inc();
  let type: string | undefined;
  const server = (await import('node:http')).createServer((req, res) => {
    type = req.headers['content-type'];
    req.resume();
    req.on('end', () => res.end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => server.close());
  const { port } = server.address() as { port: number };
  const r = await pushMetrics(registry, { url: `http://127.0.0.1:${port}`, job: 'j' });
  t.true(r.ok);
  t.is(type, 'text/plain; version=0.0.4; charset=utf-8');
});
