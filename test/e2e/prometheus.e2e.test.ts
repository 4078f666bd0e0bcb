import type { Snapshot } from 'obsweave';
import { Traffic } from '../../examples/demo/traffic';
import { startMediaWorker } from '../../examples/media-worker';
import { startPrometheus } from '../support/prometheus';
import { findTool, testWithTools } from '../support/tools';

interface Sample {
  metric: Record<string, string>;
  value: [number, string];
}

/** Labels as one comparable string, without the ones Prometheus adds to every target. */
function labelKey(labels: Record<string, string>): string {
  return Object.entries(labels)
    .filter(([k]) => k !== '__name__' && k !== 'job' && k !== 'instance')
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

/** The series of `name` in a snapshot map, keyed like `labelKey`, through `value`. */
function fromSnapshot<T>(map: Record<string, T>, name: string, value: (v: T) => number) {
  const out: Record<string, number> = {};
  for (const [key, v] of Object.entries(map)) {
    const bar = key.indexOf('|');
    if ((bar < 0 ? key : key.slice(0, bar)) !== name) continue;
    const labels: Record<string, string> = {};
    if (bar >= 0) {
      for (const pair of key.slice(bar + 1).split(',')) {
        const eq = pair.indexOf('=');
        labels[pair.slice(0, eq)] = pair.slice(eq + 1);
      }
    }
    out[labelKey(labels)] = value(v);
  }
  return out;
}

async function until(check: () => boolean | Promise<boolean>, what: string, ms = 20000) {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

testWithTools('prometheus')(
  'a real Prometheus scraping the media-worker stores what its JSON snapshot says',
  async (t) => {
    const binary = findTool('prometheus')!;

    const app = await startMediaWorker({ seed: 42, latencyScale: 0.2 });
    t.teardown(() => app.close());
    const traffic = new Traffic(app.url, { users: 4, thinkMs: 50 }).start();
    t.teardown(() => traffic.stop({ drain: false }));
    const prometheus = await startPrometheus({ binary, targets: [new URL(app.url).host] });
    t.teardown(() => prometheus.stop());

    await prometheus.waitForScrapes(3);
    // Stop the traffic, then wait for the worker to finish every job (a lost one is recovered
    // and run again), so that nothing moves any more: no request, stage or call in flight.
    await traffic.stop();
    await until(() => app.store.unfinished === 0 && app.worker.active === 0, 'an idle worker');
    const quietSince = Date.now() / 1000;
    await until(async () => {
      const r = await prometheus.query<Sample>('timestamp(up)');
      return r.length === 1 && Number(r[0].value[1]) > quietSince;
    }, 'a scrape after the traffic stopped');

    const snap = (await (await fetch(`${app.url}/metrics`)).json()) as Snapshot;
    const query = async (promql: string) => {
      const r = await prometheus.query<Sample>(promql);
      return Object.fromEntries(r.map((s) => [labelKey(s.metric), Number(s.value[1])]));
    };

    const cases: [string, Record<string, number>][] = [
      ['http_requests_total', fromSnapshot(snap.counters, 'http.requests_total', (v) => v)],
      [
        'worker_stage_latency_seconds_count',
        fromSnapshot(snap.histograms, 'worker.stage_latency_ms', (h) => h.count),
      ],
      ['external_calls_total', fromSnapshot(snap.counters, 'external.calls_total', (v) => v)],
      ['jobs_created_total', fromSnapshot(snap.counters, 'jobs.created_total', (v) => v)],
    ];
    for (const [promName, expected] of cases) {
      t.true(Object.keys(expected).length > 0, `${promName}: the app recorded it`);
      t.deepEqual(await query(promName), expected, promName);
      const total = Object.values(expected).reduce((a, b) => a + b, 0);
      t.log(`${promName}: ${Object.keys(expected).length} series, ${total} in all, equal`);
    }
    // The traffic reached every stage and every provider.
    t.is(Object.keys(cases[1][1]).length, 4);
    t.true(cases[0][1]['code_class=2xx,method=POST,route=/api/jobs'] > 0);
  },
);
