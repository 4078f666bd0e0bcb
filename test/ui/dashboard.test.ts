import test from 'ava';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { DASHBOARD_CSP, MetricsController, MetricsRegistry } from '../../src';
import { dashboardFile } from '../../src/ui/dashboard';

test('dashboardFile: which URLs are the dashboard', (t) => {
  t.is(dashboardFile('/metrics/ui'), 'index.html');
  t.is(dashboardFile('/metrics/ui/'), 'index.html');
  t.is(dashboardFile('/metrics/ui?x=1'), 'index.html');
  t.is(dashboardFile('/a/b/metrics/ui/app.js?v=2'), 'app.js');
  t.is(dashboardFile('/ui'), 'index.html');
  t.is(dashboardFile('/metrics'), undefined);
  t.is(dashboardFile('/metrics?format=prometheus'), undefined);
  t.is(dashboardFile('/metrics?next=/ui'), undefined);
  t.is(dashboardFile('/metrics/uix'), undefined);
  t.is(dashboardFile('/metrics/ui/a/b.js'), undefined);
  t.is(dashboardFile(undefined), undefined);
});

test('MetricsController: the page, its files, config.json and the token', async (t) => {
  const registry = new MetricsRegistry();
  registry.counter('jobs.created_total').inc();
  const c = new MetricsController(registry, { token: 'tok' });
  const page = await c.handle({ url: '/metrics/ui', headers: {} });
  t.is(page.status, 200);
  t.is(page.headers['content-type'], 'text/html; charset=utf-8');
  t.is(page.headers['content-security-policy'], DASHBOARD_CSP);
  t.is(page.headers['x-frame-options'], 'DENY');
  t.is(page.headers['referrer-policy'], 'no-referrer');
  t.regex(String(page.body), /<script type="module" src="ui\/app\.js"><\/script>/);

  const js = await c.handle({ url: '/metrics/ui/app.js', headers: {} });
  t.is(js.headers['content-type'], 'text/javascript; charset=utf-8');
  const cached = await c.handle({
    url: '/metrics/ui/app.js',
    headers: { 'if-none-match': `W/${js.headers.etag}` },
  });
  t.is(cached.status, 304);

  t.is((await c.handle({ url: '/metrics/ui/config.json', headers: {} })).status, 401);
  t.is((await c.handle({ url: '/metrics', headers: {} })).status, 401);
  const auth = { authorization: 'Bearer tok' };
  const config = await c.handle({ url: '/metrics/ui/config.json', headers: auth });
  t.is(config.status, 200);
  t.is(config.headers['cache-control'], 'no-store');
  const parsed = JSON.parse(String(config.body));
  t.deepEqual(parsed.labels['external.calls_total'], ['service', 'op', 'outcome']);
  t.is((await c.handle({ url: '/metrics/ui/secret.txt', headers: auth })).status, 404);
  t.is((await c.handle({ url: '/metrics', headers: auth })).status, 200);
});

test('MetricsController: ui: { heldOpen } reaches the page through config.json, and only when given', async (t) => {
  const given = new MetricsController(new MetricsRegistry(), {
    ui: { heldOpen: ['/api/feed'] },
  });
  const config = await given.handle({ url: '/metrics/ui/config.json', headers: {} });
  t.deepEqual(JSON.parse(String(config.body)).heldOpen, ['/api/feed']);
  t.is((await given.handle({ url: '/metrics/ui', headers: {} })).status, 200, 'the page is on');
  const plain = new MetricsController(new MetricsRegistry());
  const byName = await plain.handle({ url: '/metrics/ui/config.json', headers: {} });
  t.false('heldOpen' in JSON.parse(String(byName.body)), 'the page then goes by route names');
});

test('MetricsController: ui: false answers dashboard URLs as the endpoint', async (t) => {
  const c = new MetricsController(new MetricsRegistry(), { ui: false });
  const res = await c.handle({ url: '/metrics/ui', headers: {} });
  t.is(res.headers['content-type'], 'application/json; charset=utf-8');
  t.false('content-security-policy' in res.headers);
});

test('bad dashboard options throw at configuration time', (t) => {
  const bad: [unknown, RegExp][] = [
    [{ ui: 'yes' }, /^obsweave: the ui option must be true, false or the dashboard options/],
    [{ ui: { heldOpen: '/events' } }, /^obsweave: ui.heldOpen must be an array of route templates/],
    [{ slos: {} }, /^obsweave: dashboard slos must be an array/],
    [{ slos: [{ name: 'a', objective: 1, sli: { errors: 'x', total: 'y' } }] }, /objective/],
    [{ slos: [{ name: 'a', objective: 0.9, sli: { errors: 'x{', total: 'y' } }] }, /selector/],
    [
      { slos: [{ name: 'a', objective: 0.9, sli: { errors: 'x{a=~"("}', total: 'y' } }] },
      /regular expression/,
    ],
    [{ slos: [{ name: 'a', objective: 0.9, sli: { latency: { metric: 'h' } } }] }, /thresholdMs/],
    [
      {
        slos: [
          { name: 'a', objective: 0.9, sli: { errors: 'x', total: 'y' } },
          { name: 'a', objective: 0.9, sli: { errors: 'x', total: 'y' } },
        ],
      },
      /declared twice/,
    ],
    [
      { slos: [{ name: 'a', objective: 0.9, sli: { errors: 'x', total: 'y' }, by: ['a-b'] }] },
      /by/,
    ],
  ];
  for (const [opts, message] of bad) {
    const err = t.throws(() => new MetricsController(new MetricsRegistry(), opts as never));
    t.regex(err!.message, message);
    t.true(err!.message.startsWith('obsweave:'));
  }
});

test('SLO selectors: strings and objects reduce to one form', async (t) => {
  const c = new MetricsController(new MetricsRegistry(), {
    slos: [
      {
        name: 'ext',
        objective: 0.95,
        by: ['service'],
        sli: {
          errors: { metric: 'external.calls_total', match: { outcome: { not: 'success' } } },
          total: 'external_calls_total{service=~"asr|storage", op!="x"}',
        },
      },
      {
        name: 'fast',
        objective: 0.9,
        sli: {
          latency: {
            metric: 'http.request_latency_ms',
            thresholdMs: 250,
            match: { route: ['/a', '/b.c'] },
          },
        },
      },
    ],
  });
  const { slos } = JSON.parse(String((await c.handle({ url: '/metrics/ui/config.json' })).body));
  t.deepEqual(slos[0].errors, {
    metric: 'external.calls_total',
    matchers: [{ label: 'outcome', op: '!=', value: 'success' }],
  });
  t.deepEqual(slos[0].total.matchers, [
    { label: 'service', op: '=~', value: 'asr|storage' },
    { label: 'op', op: '!=', value: 'x' },
  ]);
  t.deepEqual(slos[1].latency, {
    metric: 'http.request_latency_ms',
    thresholdMs: 250,
    matchers: [{ label: 'route', op: '=~', value: '/a|/b\\.c' }],
  });
});

test('a service pays nothing for the dashboard until the page is requested', (t) => {
  // A fresh process with the built package: count the reads of the dashboard's files.
  const script = `
    const fs = require('node:fs');
    let reads = 0;
    for (const fn of ['readFileSync', 'readdirSync']) {
      const orig = fs[fn];
      fs[fn] = function (p, ...rest) {
        if (String(p).includes('ui/assets')) reads++;
        return orig.call(this, p, ...rest);
      };
    }
    const { MetricsController, MetricsRegistry } = require(${JSON.stringify(join(__dirname, '../../dist'))});
    const c = new MetricsController(new MetricsRegistry());
    c.handle({ url: '/metrics', headers: {} });
    c.handle({ url: '/metrics?format=prometheus', headers: {} });
    const before = reads;
    c.handle({ url: '/metrics/ui', headers: {} });
    const first = reads;
    c.handle({ url: '/metrics/ui/app.js', headers: {} });
    console.log(JSON.stringify({ before, first, after: reads }));
  `;
  const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
  t.is(r.status, 0, r.stderr);
  const { before, first, after } = JSON.parse(r.stdout);
  t.is(before, 0, 'no file read before the page is asked for');
  t.true(first > 0, 'read on the first request');
  t.is(after, first, 'and kept');
});
