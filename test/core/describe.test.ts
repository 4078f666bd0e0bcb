import test from 'ava';
import { describeError, describeValue } from '../../src/core/describe';

test('an error is shown the same way as a value and as a thrown one: name and message, redacted', (t) => {
  const err = new TypeError('GET https://u:hunter2@db/?token=abc failed');
  t.is(describeValue(err), describeError(err));
  t.is(describeError(err), 'TypeError: GET https://db/ failed');
  t.false(describeError(err).includes('hunter2'));
  t.false(describeError(err).includes('token=abc'));
});

test('a long string is redacted before it is cut, so no part of a secret survives the cut', (t) => {
  const shown = describeValue(`${'x'.repeat(30)} Bearer AKIAIOSFODNN7EXAMPLEKEYMATERIAL0123456789`);
  t.false(shown.includes('AKIA'));
  t.true(shown.length <= 44);
});

test('neither throws, whatever it is given', (t) => {
  const boom = (): never => {
    throw new Error('no');
  };
  const hostile = new Proxy({}, { get: boom, getPrototypeOf: boom });
  const revoked = Proxy.revocable({}, {});
  revoked.revoke();
  for (const v of [hostile, revoked.proxy, Symbol('s'), undefined, null, 1n]) {
    t.notThrows(() => describeValue(v));
    t.notThrows(() => describeError(v));
  }
});
