import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { ExecutionContext } from 'ava';
import { findTool } from '../support/tools';

const run = promisify(execFile);

/** A directory removed when the test ends, holding `files` (name → text). */
export function tempFiles(t: ExecutionContext, files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'obsweave-slo-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

/**
 * Runs promtool once over many files (`check rules a.yml b.yml ...`): its start-up, not the
 * files, is what costs. Asynchronous, so that the tests of a file run side by side.
 */
export async function promtool(
  args: string[],
  cwd?: string,
): Promise<{ ok: boolean; output: string }> {
  try {
    const r = await run(findTool('promtool')!, args, { cwd, maxBuffer: 64 << 20 });
    return { ok: true, output: r.stdout + r.stderr };
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string; message: string };
    return { ok: false, output: `${err.stdout ?? ''}${err.stderr ?? err.message}` };
  }
}
