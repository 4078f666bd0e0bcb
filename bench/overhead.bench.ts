/**
 * `npm run bench:overhead`: what obsweave adds per request and per decorated call, in one
 * process, through a real `http.Server` driven without a network (see memory-connection.ts).
 *
 * Four groups, each in a fresh child process, because on Node 20 and 22 the first
 * AsyncLocalStorage turns on promise hooks for the whole process, and that cost would land on
 * every case measured after it:
 * - `http`: cases (a) to (e) and (g) side by side; (b) is the defaults, which make an
 *   AsyncLocalStorage on Node >= 24 only.
 * - `http-no-als`: (a), (c), (d), (e), (g) in a process that never made an AsyncLocalStorage,
 *   as a service on `'request'` or `false` is: the honest place for (c) − (a) and (g) − (a).
 * - `http-context`: (a), (f) `'context'` and (g) `'request'`, paired: what the async context
 *   adds over the request-scoped id (on Node 20 and 22 the hooks then weigh on all three).
 * - `pipeline`: the worker pipeline, bare against `@Stage` + `@ExternalCall`.
 */
import { fork } from 'node:child_process';
import { fmtNs, machine, machineLine, writeResults } from './harness';
import { HTTP_CASE_NAMES, httpCases, type HttpCaseId } from './overhead/http-cases';
import { CALLS_PER_JOB, PIPELINE_CASE_NAMES, pipelineCases } from './overhead/pipeline-cases';
import { pairedDelta, pairedRounds, pairedThroughput, type CaseSamples } from './overhead/rounds';

type Group = 'http' | 'http-no-als' | 'http-context' | 'pipeline';
const GROUPS: readonly Group[] = ['pipeline', 'http-no-als', 'http', 'http-context'];
const ROUNDS = 101;

async function runGroup(group: Group): Promise<CaseSamples[]> {
  if (group === 'pipeline') {
    return pairedRounds(pipelineCases(), { rounds: ROUNDS, warmupRounds: 5, ops: 100 });
  }
  const ids: HttpCaseId[] =
    group === 'http'
      ? ['a', 'b', 'c', 'd', 'e', 'g']
      : group === 'http-context'
        ? ['a', 'f', 'g']
        : ['a', 'c', 'd', 'e', 'g'];
  return pairedRounds(httpCases(ids), { rounds: ROUNDS, warmupRounds: 10, ops: 2500 });
}

function inChild(group: Group): Promise<CaseSamples[]> {
  return new Promise((resolve, reject) => {
    const child = fork(__filename, ['--group', group], { execArgv: process.execArgv });
    let out: CaseSamples[] | undefined;
    child.on('message', (m) => (out = m as CaseSamples[]));
    child.on('error', reject);
    child.on('exit', (code) =>
      out ? resolve(out) : reject(new Error(`group ${group} exited with ${code}`)),
    );
  });
}

interface Target {
  what: string;
  value: number;
  limit: string;
  ok: boolean;
}

function byName(results: readonly CaseSamples[], name: string): CaseSamples {
  const r = results.find((c) => c.name === name);
  if (r === undefined) throw new Error(`no case ${name}`);
  return r;
}

function printHttp(title: string, results: readonly CaseSamples[]): void {
  console.log(
    `\n${title}  CPU time per request, median of ${ROUNDS} interleaved rounds, Δ paired within rounds`,
  );
  const a = byName(results, HTTP_CASE_NAMES.a);
  for (const r of results) {
    const delta = r === a ? '' : `  Δ vs (a) ${fmtNs(pairedDelta(r, a)).padStart(10)}`;
    console.log(`  ${r.name.padEnd(42)} ${fmtNs(r.ns).padStart(10)}/req${delta}`);
  }
}

async function main(): Promise<void> {
  const m = machine();
  console.log(machineLine('overhead', m));
  const results = {} as Record<Group, CaseSamples[]>;
  for (const g of GROUPS) results[g] = await inChild(g);

  const all = results.http;
  const noAls = results['http-no-als'];
  const ctx = results['http-context'];
  printHttp('HTTP, all cases ((b) the defaults)', all);
  printHttp('HTTP, no AsyncLocalStorage in the process', noAls);
  printHttp("HTTP, 'context' beside 'request'", ctx);

  const [bare, copy, woven] = [
    PIPELINE_CASE_NAMES.bare,
    PIPELINE_CASE_NAMES.copy,
    PIPELINE_CASE_NAMES.woven,
  ].map((n) => byName(results.pipeline, n));
  const throughput = pairedThroughput(woven, bare);
  const floor = pairedThroughput(copy, bare);
  const perCall = pairedDelta(woven, bare) / CALLS_PER_JOB;
  console.log(`\nWorker pipeline, ${CALLS_PER_JOB} calls of ~50 µs per job, CPU time per job`);
  for (const r of [bare, copy, woven]) {
    console.log(`  ${r.name.padEnd(42)} ${fmtNs(r.ns).padStart(10)}/job`);
  }
  console.log(
    `  per decorated call ${fmtNs(perCall)}, throughput ${throughput.toFixed(4)}x bare ` +
      `(A/A: ${floor.toFixed(4)}x)`,
  );

  const d = (id: HttpCaseId, set = all) =>
    pairedDelta(byName(set, HTTP_CASE_NAMES[id]), byName(set, HTTP_CASE_NAMES.a));
  const ratioBD = d('b') / d('d');
  const targets: Target[] = [
    { what: '(b) − (a) over (d) − (a)', value: ratioBD, limit: '<= 0.5x', ok: ratioBD <= 0.5 },
    {
      what: '(c) − (a), no AsyncLocalStorage, ns',
      value: d('c', noAls),
      limit: '<= 1000 ns',
      ok: d('c', noAls) <= 1000,
    },
    { what: '(c) − (a), beside (b), ns', value: d('c'), limit: '<= 1000 ns', ok: d('c') <= 1000 },
    {
      what: "(f) − (g), 'context' over 'request', ns",
      value: d('f', ctx) - d('g', ctx),
      limit: '<= 1500 ns',
      ok: d('f', ctx) - d('g', ctx) <= 1500,
    },
    {
      what: 'decorated pipeline throughput / bare',
      value: throughput,
      limit: '>= 0.99x',
      ok: throughput >= 0.99,
    },
  ];
  console.log('\nTargets');
  for (const t of targets) {
    const v = t.limit.endsWith('ns') ? fmtNs(t.value) : `${t.value.toFixed(3)}x`;
    console.log(
      `  ${t.what.padEnd(44)} ${v.padStart(10)}  (target ${t.limit}) ${t.ok ? 'ok' : 'MISSED'}`,
    );
  }
  console.log(
    `  (e) @Route − (a): ${fmtNs(d('e'))} per request (no AsyncLocalStorage: ${fmtNs(d('e', noAls))})`,
  );

  const file = writeResults('overhead', m, { rounds: ROUNDS, results, targets });
  console.log(`\nwrote ${file}`);
}

const g = process.argv.indexOf('--group');
if (g > 0) {
  void runGroup(process.argv[g + 1] as Group).then((r) => {
    process.send?.(r);
    process.exit(0);
  });
} else {
  void main();
}
