import test from 'ava';
import http from 'node:http';
import { MetricsRegistry } from '../../src';
import { httpMetrics } from '../../src';
import { eventually } from '../support/wait';
import { listen } from '../support/http';
import { total } from '../support/registry';

/** Each secret as sent, and the parts of it that must never appear in any output. */
const CORPUS: { name: string; path: string; secrets: string[] }[] = [
  {
    name: 'S3 presigned URL',
    path:
      '/examplebucket/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request' +
      '&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host' +
      '&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404',
    secrets: [
      'aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404',
      'AKIAIOSFODNN7EXAMPLE',
    ],
  },
  {
    name: 'GCS signed URL',
    path:
      '/example-bucket/cat.jpeg?X-Goog-Algorithm=GOOG4-RSA-SHA256&X-Goog-Credential=example%40example-project.iam.gserviceaccount.com' +
      '&X-Goog-Date=20181026T181309Z&X-Goog-Expires=900&X-Goog-SignedHeaders=host' +
      '&X-Goog-Signature=247a2aa45f169edf4d187d54e7cc46e4731b1e6273242c4f4c39a1d2507a0e58706e25e3a85a7dbb891d62afa849',
    secrets: [
      '247a2aa45f169edf4d187d54e7cc46e4731b1e6273242c4f4c39a1d2507a0e58706e25e3a85a7dbb891d62afa849',
      'example-project.iam',
    ],
  },
  {
    name: 'Azure SAS URL',
    path:
      '/sascontainer/sasblob.txt?sv=2019-02-02&st=2019-04-29T22%3A18%3A26Z&se=2019-04-30T02%3A23%3A26Z&sr=b&sp=rw' +
      '&sip=168.1.5.60-168.1.5.70&spr=https&sig=Z%2FRHIX5Xcg0Mq2rqI3OlWTjEg2tYkboXr1P9ZUXDtkk%3D',
    secrets: [
      'Z%2FRHIX5Xcg0Mq2rqI3OlWTjEg2tYkboXr1P9ZUXDtkk',
      'RHIX5Xcg0Mq2rqI3OlWTjEg2tYkboXr1P9ZUXDtkk',
    ],
  },
  {
    name: 'JWT in a path',
    path: '/session/eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c',
    secrets: [
      'eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ',
      'SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c',
    ],
  },
  {
    name: 'bearer token',
    path: '/auth/Bearer%20mF_9.B5f-4.1JqMxYz8Q2w7rT0kLp3',
    secrets: ['mF_9.B5f-4.1JqMxYz8Q2w7rT0kLp3'],
  },
  {
    name: 'basic-auth userinfo',
    path: '/proxy/https://admin:hunter2secretPW@internal.example.com/data',
    secrets: ['hunter2secretPW'],
  },
  {
    name: 'API key in a query',
    path: '/search?q=shoes&api_key=sk_live_51HxYzAbCdEfGhIjKlMnOpQr',
    secrets: ['sk_live_51HxYzAbCdEfGhIjKlMnOpQr'],
  },
];

const HEADER_SECRETS = {
  authorization: 'Bearer hdr-4f9c2b7e1a6d3c8b5e0f',
  cookie: 'session=cookie-9a8b7c6d5e4f3a2b1c0d',
  'x-api-key': 'hdrkey-1q2w3e4r5t6y7u8i9o0p',
};

async function outputs(registry: MetricsRegistry): Promise<Record<string, string>> {
  return {
    json: JSON.stringify(await registry.snapshot()),
    prometheus: await registry.toPrometheus(),
    openmetrics: await registry.toOpenMetrics(),
  };
}

function assertClean(
  t: import('ava').ExecutionContext,
  out: Record<string, string>,
  secrets: string[],
) {
  for (const [format, text] of Object.entries(out)) {
    for (const s of secrets) {
      t.false(text.includes(s), `${format} output holds ${s}`);
      t.false(
        text.includes(decodeURIComponent(s)),
        `${format} output holds ${decodeURIComponent(s)}`,
      );
    }
  }
}

const allSecrets = [...CORPUS.flatMap((c) => c.secrets), ...Object.values(HEADER_SECRETS)];

// Two middlewares: the default normalization, and one that passes the raw URL through as the
// route, so that only the registry's redaction stands between a secret and the output.
for (const [name, normalize] of [
  ['normalizeRoute', undefined],
  ['a raw-URL normalize', (p: string) => p],
] as const) {
  test(`secrets sent through the middleware (${name}) never reach any output; headers never become labels`, async (t) => {
    const registry = new MetricsRegistry();
    const mw = httpMetrics({ registry, normalize });
    const base = await listen(
      t,
      http.createServer((req, res) => mw(req, res, () => res.end())),
    );
    for (const c of CORPUS) {
      const r = await fetch(base + c.path, { headers: HEADER_SECRETS });
      await r.text();
    }
    await eventually(
      () => total(registry, 'http.requests_total|') === CORPUS.length,
      'all requests',
    );
    assertClean(t, await outputs(registry), allSecrets);
  });
}

test('secrets passed straight to metric calls never reach any output', async (t) => {
  const registry = new MetricsRegistry();
  const c = registry.counter('leaky.calls_total', { labelNames: ['url', 'auth'] });
  const h = registry.histogram('leaky.latency_ms', { labelNames: ['url'] });
  const g = registry.gauge('leaky.open', { labelNames: ['url'] });
  for (const item of CORPUS) {
    const full = `https://host.example.com${item.path}`;
    c.inc(1, { url: full, auth: HEADER_SECRETS.authorization });
    c.bind({ url: item.path, auth: `Bearer ${item.secrets[0]}` }).inc();
    h.observe(3, { url: full });
    g.set(1, { url: item.path });
  }
  c.inc(1, {
    url: 'https://admin:hunter2secretPW@internal.example.com/x',
    auth: 'Basic YWRtaW46aHVudGVyMnNlY3JldFBX',
  });
  assertClean(t, await outputs(registry), [...allSecrets, 'YWRtaW46aHVudGVyMnNlY3JldFBX']);
});
