import test from 'ava';
import { MetricsPusher, pushMetrics } from '../../src/push';
import { groupPath } from '../../src/push/grouping-key';
import { planPush } from '../../src/push/push-metrics';
import { newRegistry } from '../support/registry';

test('a plain grouping key is percent-encoded, in the order given', (t) => {
  t.is(
    groupPath('nightly import', { instance: 'host-1', shard: 'a&b' }),
    '/metrics/job/nightly%20import/instance/host-1/shard/a%26b',
  );
});

test('a value with "/" goes as base64url with the @base64 suffix, the job too', (t) => {
  const path = groupPath('etl/daily', { path: '/var/data/x?' });
  t.is(
    path,
    `/metrics/job@base64/${Buffer.from('etl/daily').toString('base64url')}` +
      `/path@base64/${Buffer.from('/var/data/x?').toString('base64url')}`,
  );
  t.notRegex(path.split('@base64/')[2], /[+/=]/, 'base64url, no padding');
});

test('an empty value is written as the gateway spells it: @base64/=', (t) => {
  t.is(groupPath('j', { instance: '' }), '/metrics/job/j/instance@base64/=');
});

test('the URL keeps a path prefix, loses its userinfo to a Basic header', (t) => {
  const plan = planPush({ url: 'https://ci:p%40ss@gw.example/pushgateway/', job: 'j' });
  t.is(plan.target, 'https://gw.example/pushgateway/metrics/job/j');
  t.is(plan.headers.authorization, `Basic ${Buffer.from('ci:p@ss').toString('base64')}`);
  t.is(plan.method, 'PUT');
  const given = planPush({
    url: 'https://ci:pw@gw.example',
    job: 'j',
    headers: { Authorization: 'Bearer x' },
  });
  t.false('authorization' in given.headers, 'an Authorization header given wins');
  t.is(given.headers.Authorization, 'Bearer x');
});

test('the URL shown in logs has no userinfo, query or fragment', (t) => {
  const plan = planPush({ url: 'http://u:secret@gw:9091/?token=abc#f', job: 'j' });
  t.is(plan.shown, 'http://gw:9091/metrics/job/j');
});

test('bad options throw obsweave: errors when the push is set up', (t) => {
  const { registry } = newRegistry();
  const bad: [unknown, RegExp][] = [
    [{ url: 'not a url', job: 'j' }, /^obsweave: push: url is not a valid URL/],
    [{ url: 'ftp://gw', job: 'j' }, /must be http or https/],
    [{ url: 'http://gw', job: '' }, /job must be a non-empty string/],
    [{ url: 'http://gw' }, /job must be a non-empty string/],
    [{ url: 'http://gw', job: 'j', groupingKey: { job: 'x' } }, /grouping label name "job"/],
    [{ url: 'http://gw', job: 'j', groupingKey: { 'a-b': 'x' } }, /invalid grouping label/],
    [{ url: 'http://gw', job: 'j', groupingKey: { __a: 'x' } }, /invalid grouping label/],
    [{ url: 'http://gw', job: 'j', groupingKey: { a: 1 } }, /"a" must be a string/],
    [{ url: 'http://gw', job: 'j', method: 'patch' }, /method must be/],
    [{ url: 'http://gw', job: 'j', timeoutMs: 0 }, /timeoutMs must be a positive number/],
    [{ url: 'http://gw', job: 'j', retries: -1 }, /retries must be an integer/],
    [{ url: 'http://gw', job: 'j', headers: 'x' }, /headers must be an object/],
  ];
  for (const [opts, message] of bad) {
    t.throws(() => pushMetrics(registry, opts as never), { message }, JSON.stringify(opts));
  }
  t.throws(() => new MetricsPusher(registry, { url: 'http://gw', job: 'j' } as never), {
    message: /^obsweave: MetricsPusher: intervalMs/,
  });
  t.throws(
    () =>
      new MetricsPusher(registry, {
        url: 'http://gw',
        job: 'j',
        intervalMs: 10,
        method: 'delete' as never,
      }),
    { message: /^obsweave: MetricsPusher: method/ },
  );
});
