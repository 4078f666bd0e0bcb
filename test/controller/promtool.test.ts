import test from 'ava';
import express from 'express';
import http from 'node:http';
import { MetricsRegistry } from '../../src';
import { createMetricsHandler } from '../../src/controller/metrics-handler';
import { httpMetrics } from '../../src';
import { abortedRequest, gate, listen } from '../support/http';
import { eventually } from '../support/wait';
import { total } from '../support/registry';
import { assertPromtoolClean, testWithTools } from '../support/tools';

const withPromtool = testWithTools('promtool');

/** A busy Express app: every catalog metric, many routes, errors, aborts, odd characters. */
async function busyScrape(t: import('ava').ExecutionContext, accept: string): Promise<string> {
  const registry = new MetricsRegistry();
  registry.registerCatalog();
  const slow = gate();
  const app = express();
  app.use(httpMetrics({ registry }));
  app.get('/metrics', createMetricsHandler({ registry }));
  app.get('/api/jobs/:id', (req, res) => {
    res.status(Number(req.params.id) % 5 === 0 ? 503 : 200).end();
  });
  app.get('/slow', async (_req, res) => {
    slow.enter();
    await slow.released;
    res.end();
  });
  const base = await listen(t, http.createServer(app));
  const paths = [
    ...Array.from({ length: 30 }, (_, i) => `/api/jobs/${i}`),
    '/weird/"quoted"/back\\slash',
    '/ünïcode/päth',
    '/nope?x=1',
  ];
  await Promise.all(paths.map((p) => fetch(base + encodeURI(p)).then((r) => r.text())));
  await abortedRequest(base, '/slow', slow.entered);
  // Only once the server saw the close: answering earlier could still reach the socket.
  await eventually(
    () => total(registry, 'http.requests_total|') === paths.length + 1,
    'all requests',
  );
  slow.release();
  const res = await fetch(`${base}/metrics`, { headers: { accept } });
  t.is(res.status, 200);
  return res.text();
}

withPromtool(
  'the Prometheus text of a busy app passes promtool check metrics with nothing printed',
  async (t) => {
    const text = await busyScrape(t, 'text/plain');
    t.regex(text, /http_requests_total\{method="GET",route="\/slow",code_class="aborted"\} 1/);
    assertPromtoolClean(t, text);
  },
);

// promtool check metrics only parses the 0.0.4 text format, so the OpenMetrics text is checked
// here against the rules of the OpenMetrics 1.0 ABNF that matter for a scraper.
test('the OpenMetrics text of a busy app is well-formed OpenMetrics 1.0', async (t) => {
  const text = await busyScrape(t, 'application/openmetrics-text; version=1.0.0');
  t.true(text.endsWith('# EOF\n'));
  t.is(text.indexOf('# EOF'), text.length - 6, '# EOF only once, at the end');
  const types = new Map<string, string>();
  const helps = new Set<string>();
  const name = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
  const sample =
    /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*",?)*\})? (-?[0-9.e+-]+|NaN|\+Inf|-Inf)( # \{[^}]*\} \S+( \S+)?)?$/;
  for (const line of text
    .slice(0, -'# EOF\n'.length)
    .split('\n')
    .filter((l) => l !== '')) {
    if (line.startsWith('# TYPE ')) {
      const [, , fam, type] = line.split(' ');
      t.regex(fam, name);
      t.false(types.has(fam), `family ${fam} declared twice`);
      t.true(
        [
          'counter',
          'gauge',
          'histogram',
          'summary',
          'unknown',
          'info',
          'stateset',
          'gaugehistogram',
        ].includes(type),
      );
      types.set(fam, type);
      continue;
    }
    if (line.startsWith('# HELP ')) {
      helps.add(line.split(' ')[2]);
      continue;
    }
    if (line.startsWith('# UNIT ')) continue;
    const m = sample.exec(line);
    t.truthy(m, `not a valid sample line: ${line}`);
    if (!m) continue;
    const family = [...types.keys()].find(
      (f) =>
        m[1] === f ||
        (/^_(total|created|bucket|count|sum)$/.test(m[1].slice(f.length)) && m[1].startsWith(f)),
    );
    t.truthy(family, `sample ${m[1]} outside a declared family`);
    if (types.get(family!) === 'counter') t.regex(m[1], /_(total|created)$/);
    if (types.get(family!) === 'histogram') t.regex(m[1], /_(bucket|count|sum|created)$/);
  }
  for (const fam of types.keys()) t.true(helps.has(fam), `family ${fam} has HELP`);
  t.regex(text, /^# TYPE http_requests counter$/m);
  t.regex(text, /^http_request_latency_seconds_bucket\{route="\/api\/jobs\/:id",le="\+Inf"\} 30$/m);
});
