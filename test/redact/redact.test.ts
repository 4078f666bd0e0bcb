import test from 'ava';
import { REDACTED, redact } from '../../src';
import { labelValue } from '../../src/redact/redact';

// Secrets that must never survive into a label value: [input, expected, what must be gone]
const SECRETS: [string, string, string][] = [
  [
    'https://media.s3.eu-west-1.amazonaws.com/jobs/42/audio.mp4?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20240101%2Feu-west-1%2Fs3%2Faws4_request&X-Amz-Date=20240101T000000Z&X-Amz-Expires=3600&X-Amz-SignedHeaders=host&X-Amz-Signature=fe5f80f77d5fa3beca038a248ff027d0445342fe2855ddc963176630326f1024',
    'https://media.s3.eu-west-1.amazonaws.com/jobs/42/audio.mp4',
    'X-Amz-Signature',
  ],
  [
    'https://storage.googleapis.com/uploads/clip.wav?X-Goog-Algorithm=GOOG4-RSA-SHA256&X-Goog-Credential=svc%40proj.iam.gserviceaccount.com%2F20240101%2Fauto%2Fstorage%2Fgoog4_request&X-Goog-Date=20240101T000000Z&X-Goog-Expires=900&X-Goog-SignedHeaders=host&X-Goog-Signature=1a2b3c4d5e6f',
    'https://storage.googleapis.com/uploads/clip.wav',
    'X-Goog-Signature',
  ],
  [
    'https://storage.googleapis.com/uploads/clip.wav?GoogleAccessId=svc@proj.iam.gserviceaccount.com&Expires=1700000000&Signature=abc%2Bdef%3D',
    'https://storage.googleapis.com/uploads/clip.wav',
    'Signature',
  ],
  [
    'https://acct.blob.core.windows.net/media/clip.mp3?sv=2021-08-06&ss=b&srt=o&sp=r&se=2024-01-01T00:00:00Z&st=2023-12-31T00:00:00Z&spr=https&sig=o8QKkhH%2BXvG2w%2FDbE2QZs9m%2FKtC4vJ4uCx2Rz7R%2BQ0c%3D',
    'https://acct.blob.core.windows.net/media/clip.mp3',
    'sig=',
  ],
  ['https://user:hunter2@example.com/feed', 'https://example.com/feed', 'hunter2'],
  ['https://user:p@ss@example.com/feed', 'https://example.com/feed', 'ss@'],
  ['redis://:s3cr3t@cache.internal:6379/0', 'redis://cache.internal:6379/0', 's3cr3t'],
  ['postgres://app:pw@db:5432/jobs?sslmode=require', 'postgres://db:5432/jobs', 'pw'],
  ['https://example.com/cb#access_token=abc123', 'https://example.com/cb', 'abc123'],
  ['/api/jobs?api_key=abc123', '/api/jobs', 'abc123'],
  ['/hook?token=x', '/hook', 'token'],
  ['/a#b', '/a', '#b'],
  ['api_key=abc123', `api_key=${REDACTED}`, 'abc123'],
  ['apikey=abc123&x=1', `apikey=${REDACTED}&x=1`, 'abc123'],
  ['password=hunter2', `password=${REDACTED}`, 'hunter2'],
  ['refresh_token=abc', `refresh_token=${REDACTED}`, 'abc'],
  ['client_secret=abc', `client_secret=${REDACTED}`, 'abc'],
  ['Bearer abcdef0123456789', REDACTED, 'abcdef'],
  ['authorization: bearer abc.def-ghi_jkl', `authorization: ${REDACTED}`, 'abc'],
  ['Basic dXNlcjpwYXNzd29yZA==', REDACTED, 'dXNlcjpwYXNzd29yZA'],
  [
    'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4ifQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c',
    REDACTED,
    'eyJ',
  ],
  ['failed for token eyJhbGciOiJIUzI1NiJ9.eyJ4IjoxfQ.abc', `failed for ${REDACTED}`, 'eyJ'],
  ['deadbeefdeadbeefdeadbeefdeadbeef', REDACTED, 'deadbeef'],
  [
    'sha256 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
    `sha256 ${REDACTED}`,
    '9f86d08',
  ],
  ['dGhpcyBpcyBhIHNlY3JldCBrZXkgMTIz', REDACTED, 'dGhpcy'],
  ['key wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', `key ${REDACTED}`, 'wJalr'],
  ['sk-proj-A1b2C3d4E5f6G7h8I9j0K1l2', REDACTED, 'A1b2'],
  ['ghp_16C7e42F292c6912E7710c838347Ae178B4a', REDACTED, '16C7e'],
  ['password:hunter2', `password:${REDACTED}`, 'hunter2'],
  ['db_password:hunter2&x=1', `db_password:${REDACTED}&x=1`, 'hunter2'],
  ['client_secret:abc', `client_secret:${REDACTED}`, 'abc'],
  ['https://admin%3Asecret@host/x', 'https://host/x', 'secret'],
  ['/proxy/https%3A%2F%2Fadmin%3Asecret%40db%2Fx', '/proxy/https%3A%2F%2Fdb%2Fx', 'secret'],
  ['admin:hunter2@db.internal:5432', 'db.internal:5432', 'hunter2'],
  ['connect admin:p@ss@db:5432 failed', 'connect db:5432 failed', 'ss'],
  ['dsn=svc%3Apw1234@cache', 'dsn=cache', 'pw1234'],
  ['(root:toor@[::1]:22)', '([::1]:22)', 'toor'],
  [
    'https://hooks.slack.com/services/T024BE7LD/B01ABCDEF12/aBcDeFgHiJkLmNoPqRsTuVwX',
    `https://hooks.slack.com/${REDACTED}`,
    'T024BE7LD',
  ],
  [
    'post to HOOKS.SLACK.COM/services/T1/B2/x done',
    `post to HOOKS.SLACK.COM/${REDACTED} done`,
    'T1',
  ],
];

for (const [input, expected, gone] of SECRETS) {
  test(`redact() removes the secret from ${input.slice(0, 60)}`, (t) => {
    const out = redact(input);
    t.is(out, expected);
    t.false(out.includes(gone), `${gone} is gone`);
  });
}

// Ordinary values that must come through untouched
const ORDINARY = [
  '/api/jobs/:id',
  '/api/jobs',
  '/api/v1/organizations/:orgId/projects/:projectId/jobs',
  '/api/v2/transcriptions/whisper-v3/:id',
  '/v1/audio/transcriptions/batch-2024',
  '__unmatched__',
  'transcribe_v2_whisper',
  'download_youtube_audio',
  'ffprobe',
  'yt-dlp',
  'UND_ERR_HEADERS_TIMEOUT',
  'ERR_SOCKET_CONNECTION_TIMEOUT',
  'ECONNRESET',
  'TimeoutError',
  'api.openai.com',
  'storage.googleapis.com',
  'bucket.s3.eu-west-1.amazonaws.com',
  'ip-10-0-12-34.eu-west-1.compute.internal',
  'worker-3.jobs.svc.cluster.local',
  'https://api.openai.com/v1/audio/transcriptions',
  'GET',
  '2xx',
  '503',
  'running',
  'lease_expired',
  'GetObjectCommand',
  'CreateMultipartUploadCommand',
  'worker.stage_latency_ms',
  'user@example.com',
  'x=1',
  '',
  'C#',
  'a'.repeat(20),
  'auth:login',
  'token:refresh',
  'sig:v2',
  '12:30',
  'mailto:bob@example.com',
  '/api/jobs/:id@latest',
  'slack.com/services/help',
];

for (const value of ORDINARY) {
  test(`redact() leaves ${JSON.stringify(value.slice(0, 60))} intact`, (t) => {
    t.is(redact(value), value);
  });
}

test('redact() turns anything into a string without throwing', (t) => {
  t.is(redact(undefined), '');
  t.is(redact(null), '');
  t.is(redact(404), '404');
  t.is(redact(false), 'false');
  t.is(redact(Symbol('s')), 'Symbol(s)');
  t.is(redact(10n), '10');
  t.is(redact(Object.create(null)), REDACTED);
  t.is(
    redact({
      toString() {
        throw new Error('no');
      },
    }),
    REDACTED,
  );
  t.is(redact({ toString: () => 'https://u:p@h/x?y=1' }), 'https://h/x');
});

test('redact() is idempotent on the corpus', (t) => {
  for (const [input] of SECRETS) t.is(redact(redact(input)), redact(input));
  for (const value of ORDINARY) t.is(redact(redact(value)), value);
});

test('labelValue() redacts, then cuts to 128 characters', (t) => {
  t.is(labelValue('x'.repeat(300)).length, 128);
  t.is(labelValue(`/p?sig=${'a'.repeat(300)}`), '/p');
  t.is(labelValue('y'.repeat(128)), 'y'.repeat(128));
});
