import test from 'ava';
import fc from 'fast-check';
import { redact } from '../../src';
import { labelValue, redactPrefix, REDACT_WINDOW } from '../../src/redact/redact';
import { redactRuns } from '../../src/redact/runs';
import { modelRedact, modelRuns, referenceLabelValue, referenceRedact } from './reference-redact';
import { leaks, SECRET_CORPUS } from './secret-corpus';

/**
 * The linear scanners against the regular expressions they replace: the same result on
 * anything short enough for the expressions, and no secret through any cut on anything long.
 */

/** Pieces that hit every rule and every boundary between rules, adversarial ones included. */
const PIECES = [
  ...['a', 'A', 'z', '0', '7', 'f', 'e', '1', 'v2', 'Qz8', 'aB3xY9', 'ü', '😀', '\u00a0'],
  ...['.', '-', '_', '+', '/', '=', '&', ';', ',', '~', '%20', '"', "'", '[redacted]'],
  ...[' ', '\t', '\n', '\u2028', '?', '#', '@', ':', '://', 'https', 'http://', 'x+y.z-'],
  ...['Bearer', 'bearer', 'basic', 'BASIC', 'token', 'Token', 'api_key', 'apikey'],
  ...['access-token', 'secret', 'password', 'Password', 'pwd', 'sig', 'x-amz-signature', 'auth'],
  ...['eyJ', 'deadbeef', 'DEADBEEF01234567', 'dGhpcyBpcyBh', 'user:pw@', '/api/', '0123456789'],
  ...['AKIA', 'IOSFODNN7EXAMPLE', 'ghp_', 'sk_live_', 'xoxb-', 'AIza', 'github_pat_', 'ABCDEFGHIJ'],
  ...['password:', 'Secret:', 'token:', 'passphrase', 'mailto:', '(', ')', '<', '>', 'db:5432'],
  ...['%3A', '%3a', '%2F', '%2f', '%3F', '%23', '%40', '%3A%2F%2F', 'https%3A%2F%2F', 'a%3Ab%40'],
  ...['hooks.slack.com/', 'HOOKS.slack.COM/', 'services/T0/B1/', 'admin:pw@', '[::1]', 'u:p@h'],
];
const anyValue = fc.array(fc.constantFrom(...PIECES), { maxLength: 60 }).map((a) => a.join(''));

test('redact() gives the result of the regular expressions on any value', (t) => {
  fc.assert(
    fc.property(anyValue, (s) => redact(s) === modelRedact(s)),
    { numRuns: 6000 },
  );
  t.pass();
});

/**
 * Values as services label and log them, made without the forms the new rules read (a quote,
 * `name: value`, spaces around `=`, a camel-case name, a known key prefix): here the result
 * is exactly what it was before the rewrite.
 */
const WORDS = [
  ...['/api/jobs/:id', '/v1/audio/transcriptions', 'GetObjectCommand', 'ECONNRESET', 'GET'],
  ...['UND_ERR_HEADERS_TIMEOUT', 'worker-3.jobs.svc.cluster.local', 'transcribe_v2_whisper', '503'],
  ...['https://api.openai.com/v1/audio', 'https://user:hunter2@example.com/feed', 'x=1'],
  ...['redis://:s3cr3t@cache.internal:6379/0', '/hook?token=abc', 'https://h/x?sig=abc#frag'],
  ...['api_key=abc123', 'password=hunter2', 'refresh_token=abc', 'X-Amz-Signature=fe5f80f7'],
  // A credential ends at a space, as in a header.
  ...[
    'Bearer abcdef0123456789 ',
    'Basic dXNlcjpwYXNzd29yZA== ',
    'token eyJhbGciOiJIUzI1NiJ9.e30.x ',
  ],
  ...['deadbeefdeadbeefdeadbeefdeadbeef', 'dGhpcyBpcyBhIHNlY3JldCBrZXkgMTIz', 'user@example.com'],
  ...['wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', 'sk-proj-A1b2C3d4E5f6G7h8I9j0K1l2', 'C#', '😀'],
  ...['/proxy/https://admin:pw@internal/x', 'ip-10-0-12-34.eu-west-1.compute.internal', '2xx'],
];
const SEPARATORS = [' ', '/', '&', ',', ';', ' | ', '\n', '-', '.'];
const wellFormed = fc
  .array(fc.tuple(fc.constantFrom(...WORDS), fc.constantFrom(...SEPARATORS)), { maxLength: 12 })
  .map((parts) => parts.map(([w, sep]) => w + sep).join(''));

test('redact() is unchanged on well-formed values: the result of the previous implementation', (t) => {
  fc.assert(
    fc.property(wellFormed, (s) => redact(s) === referenceRedact(s)),
    { numRuns: 3000 },
  );
  t.pass();
});

test('labelValue() is the first 128 characters of the result, never half a surrogate pair', (t) => {
  const value = fc
    .array(fc.constantFrom(...PIECES, ...WORDS, '😀😀😀😀😀😀😀😀'), { maxLength: 80 })
    .map((a) => a.join(''));
  fc.assert(
    fc.property(value, (s) => labelValue(s) === referenceLabelValue(s)),
    { numRuns: 3000 },
  );
  t.pass();
});

/** Units repeated into the shapes that made the regular expressions quadratic, and more. */
const UNITS = [
  ...['a.', 'a-', 'eyJ-', 'eyJa.', 'eyJ.a.', 'key=', 'api_key=x&', 'https://u:p@', 'a://'],
  ...['😀a', '\ud83d', 'token+', 'Bearer ', ' /a?', 'aB3dE6gH9jK2mN5pQ8sT', 'deadbeef', ' '],
  ...['dGhpcyBpcyBh', 'AKIA', 'xoxb-', '://', '=', '@', 'password: ', '"secret":"'],
];
const adversarial = (maxUnits: number) =>
  fc
    .array(
      fc.tuple(fc.constantFrom(...UNITS), fc.integer({ min: 1, max: maxUnits }), fc.boolean()),
      { minLength: 1, maxLength: 4 },
    )
    .map((parts) => parts.map(([u, n, space]) => u.repeat(n) + (space ? ' ' : '')).join(''));

test('redact() gives the result of the regular expressions on adversarial shapes', (t) => {
  fc.assert(
    fc.property(adversarial(300), (s) => redact(s) === modelRedact(s)),
    { numRuns: 200 },
  );
  t.pass();
});

/** A surrogate cut in half is not UTF-16 any more: invalid in an exposition, or in JSON. */
function wellFormedUtf16(s: string): boolean {
  return !/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(s);
}

test('no secret survives a cut: a secret across the 128-character, 4 KiB or 64 KiB line', (t) => {
  const secret = fc.constantFrom(...SECRET_CORPUS);
  // Where the secret starts: just before, on or after each cut.
  const offset = fc.oneof(
    fc.integer({ min: 60, max: 140 }),
    fc.integer({ min: 4096 - 80, max: 4096 + 8 }),
    fc.integer({ min: REDACT_WINDOW - 120, max: REDACT_WINDOW + 8 }),
  );
  const filler = fc.constantFrom('a.', 'a-', 'x ', 'eyJ-', '😀', 'word ', 'k=v&', 'dGhpcyBp');
  fc.assert(
    fc.property(
      secret,
      offset,
      filler,
      fc.constantFrom(' ', '/', '=', ', '),
      (sec, at, fill, sep) => {
        const head = fill.repeat(Math.ceil(at / fill.length)).slice(0, at);
        const value = `${head}${sep}${sec.value} and more text after it`;
        for (const out of [labelValue(value), redact(value), redactPrefix(value, 2048)]) {
          const found = leaks(out, sec.parts);
          if (found.length > 0) return false;
          // A lone surrogate may come with the input (`'😀'.slice(1)`), never from a cut.
          if (wellFormedUtf16(value.slice(0, out.length)) && !wellFormedUtf16(out)) return false;
        }
        return true;
      },
    ),
    { numRuns: 300 },
  );
  t.pass();
});

test('1 MiB values of every shape: no secret, a bounded result, a label read from its first 4 KiB', (t) => {
  const MiB = 1 << 20;
  for (const unit of UNITS) {
    const big = unit.repeat(Math.ceil(MiB / unit.length));
    for (const sec of SECRET_CORPUS.slice(0, 6)) {
      const value = `${big.slice(0, 100)} ${sec.value} ${big}`;
      const label = labelValue(value);
      const whole = redact(value);
      t.deepEqual(leaks(label, sec.parts), [], `label of ${unit}… with ${sec.name}`);
      t.deepEqual(leaks(whole, sec.parts), [], `redact() of ${unit}… with ${sec.name}`);
      t.true(label.length <= 128);
      // Bounded whatever the input (a secret may become longer: x → [redacted]).
      t.true(whole.length <= 2.5 * REDACT_WINDOW + 16);
      t.is(labelValue(value), labelValue(value.slice(0, 4096 + 1)));
    }
  }
});

test('a token whose entropy is exactly the threshold is judged as the expression judges it', (t) => {
  // 32 characters: five ×4, four ×2, four once (one digit): -Σp·log2(p) is exactly 3.5.
  const run = 'AAAAbbbbccccddddeeeeFFgghhii1jkl';
  for (const value of [run, `id ${run} end`, `${run.slice(0, 31)}m`, `${run}n`]) {
    t.is(redact(value), modelRedact(value), value);
  }
  t.is(redact(run), '[redacted]');
});

test('the run scanner alone agrees with the expressions on runs longer than any window', (t) => {
  let seed = 7;
  const pick = (alphabet: readonly string[]) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return alphabet[seed % alphabet.length];
  };
  const runs = [
    'a'.repeat(300000) + '1A',
    '1'.repeat(300000) + 'aB',
    'deadbeef'.repeat(40000),
    ...[
      ['a', 'b', '0', '9'],
      ['A', 'b', '3', '+', '/'],
      ['x', 'y', 'z', '-', '_', '='],
    ].map((alphabet) => Array.from({ length: 300000 }, () => pick(alphabet)).join('')),
    Array.from({ length: 30000 }, () =>
      pick(['deadbeef', 'ABCDEF', '0123', '-', '_', '/', 'AKIAIOSFODNN7EXAMPLE', 'xoxb-', 'q9']),
    ).join(''),
  ];
  for (const s of runs) t.is(redactRuns(s), modelRuns(s));
});
