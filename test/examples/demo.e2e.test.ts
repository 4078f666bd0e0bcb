import test from 'ava';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const RUN_FOR_MS = 60_000;

// What a new user sees first: a minute of `npm run demo` prints summaries and nothing that
// reads like a problem (a MaxListenersExceededWarning, a deprecation, an unhandled rejection).
test('the live demo runs for a minute without a single warning', async (t) => {
  t.timeout(RUN_FOR_MS + 60_000);
  const child = spawn(
    process.execPath,
    ['-r', 'ts-node/register/transpile-only', 'examples/demo.ts'],
    { cwd: ROOT, env: { ...process.env, PORT: '0' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
  child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  const exited = once(child, 'exit');

  const timer = setTimeout(() => child.kill('SIGINT'), RUN_FOR_MS);
  const [code] = (await exited) as [number | null];
  clearTimeout(timer);

  t.is(stderr, '', 'the demo wrote to stderr');
  t.is(code, 0);
  t.regex(stdout, /media-worker listening on http:\/\/127\.0\.0\.1:\d+/);
  const summaries = stdout.match(/^── \d+s ─/gm) ?? [];
  t.true(summaries.length >= 10, `${summaries.length} summaries in a minute`);
  t.regex(stdout, /── final ─/);
});
