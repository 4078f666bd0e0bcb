import test from 'ava';
import { readIncomingId } from '../../src/http/correlation-header';

test('readIncomingId reads the raw headers in any case, the first name before the second', (t) => {
  const req = (...raw: string[]) => ({ rawHeaders: raw });
  t.is(readIncomingId(req('X-Correlation-Id', 'abc-1')), 'abc-1');
  t.is(readIncomingId(req('X-REQUEST-ID', 'r-1', 'x-correlation-id', 'c-1')), 'c-1');
  t.is(readIncomingId(req('Content-Type', 'text/plain', 'X-Request-Id', 'r-2')), 'r-2');
  // Same length as x-request-id, one letter off: not it.
  t.is(readIncomingId(req('X-Request-Ix', 'no')), undefined);
  t.is(readIncomingId(req('X-CORRELATION-ID', 'bad id', 'x-request-id', 'r-3')), 'r-3');
  t.is(readIncomingId(req('X-CORRELATION-ID', 'bad id')), null, 'one that may not be taken');
  t.is(
    readIncomingId({ headers: { 'x-request-id': 'h-1' } }),
    'h-1',
    'parsed headers when no raw ones',
  );
});
