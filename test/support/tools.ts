import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import test, { type ExecutionContext } from 'ava';

/**
 * External tools some tests need (`promtool`). When `OBSWEAVE_REQUIRE_TOOLS=1` (as in CI), a
 * missing tool FAILS the test; otherwise the test is skipped with a visible message, so a
 * developer machine without the tool still runs the rest of the suite.
 */

export const REQUIRE_TOOLS_ENV = 'OBSWEAVE_REQUIRE_TOOLS';

export function toolsRequired(): boolean {
  return process.env[REQUIRE_TOOLS_ENV] === '1';
}

/** The absolute path of an executable on `PATH` (or `/usr/bin`), or `undefined`. */
export function findTool(name: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/bin', '/usr/local/bin'];
  for (const dir of dirs) {
    if (dir === '') continue;
    const p = join(dir, name);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      // not here
    }
  }
  return undefined;
}

/**
 * The tool's path, or `undefined` after either failing the test (tools required) or logging
 * why it is skipped. Use it first thing in a test and return when it answers `undefined`:
 *
 *   const promtool = requireTool(t, 'promtool');
 *   if (promtool === undefined) return;
 */
export function requireTool(t: ExecutionContext, name: string): string | undefined {
  const path = findTool(name);
  if (path !== undefined) return path;
  if (toolsRequired()) {
    t.fail(`${name} is not installed, and ${REQUIRE_TOOLS_ENV}=1 requires it`);
  } else {
    const msg = `SKIPPED: ${name} is not installed (set ${REQUIRE_TOOLS_ENV}=1 to make this a failure)`;
    t.log(msg);
    console.warn(`[${t.title}] ${msg}`);
    t.pass();
  }
  return undefined;
}

/**
 * The ava `test` to declare a test that needs these tools: `test` itself when they are all
 * installed, or when `OBSWEAVE_REQUIRE_TOOLS=1` (the test then fails on the missing tool
 * through `requireTool`); otherwise `test.skip`, so the summary counts it as skipped.
 *
 *   const withPromtool = testWithTools('promtool');
 *   withPromtool('the output passes promtool', (t) => { ... });
 */
export function testWithTools(...names: string[]): typeof test.serial {
  const missing = names.filter((name) => findTool(name) === undefined);
  if (missing.length === 0 || toolsRequired()) return test;
  console.warn(
    `obsweave tests: ${missing.join(', ')} not installed; the tests that need it are skipped (set ${REQUIRE_TOOLS_ENV}=1 to make them fail)`,
  );
  return test.skip as unknown as typeof test.serial;
}

/** As `testWithTools`, for tests that must run one at a time (`test.serial`). */
export function serialTestWithTools(...names: string[]): typeof test.serial {
  const missing = names.filter((name) => findTool(name) === undefined);
  if (missing.length === 0 || toolsRequired()) return test.serial;
  return testWithTools(...names);
}

export interface ToolResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `promtool check metrics` on `text` (its stdin): `status` 0 and no output means clean. */
export function promtoolCheck(
  text: string,
  promtool = findTool('promtool') ?? 'promtool',
): ToolResult {
  const r = spawnSync(promtool, ['check', 'metrics'], { input: text, encoding: 'utf8' });
  if (r.error !== undefined) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * Asserts that promtool accepts `text` without a single complaint, skipping (or failing, see
 * above) when promtool is missing. Prints the problems and the text on failure.
 */
export function assertPromtoolClean(t: ExecutionContext, text: string): void {
  const promtool = requireTool(t, 'promtool');
  if (promtool === undefined) return;
  const r = promtoolCheck(text, promtool);
  const problems = `${r.stdout}${r.stderr}`;
  if (r.status !== 0 || problems !== '') t.log(text);
  t.is(problems, '', 'promtool printed problems');
  t.is(r.status, 0, 'promtool exit status');
}
