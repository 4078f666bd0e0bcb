/**
 * Where a load-bench service spends its CPU under a real socket load:
 * `node -r ts-node/register/transpile-only bench/load/profile.ts <trivial|realistic> <bare|instrumented> [correlation] [seconds]`
 * runs one copy of the service with `--cpu-prof` (pinned to core 1 when `taskset` exists),
 * drives it from core 0 as the load bench does (`wrk` for the trivial shape where installed,
 * autocannon otherwise, `processes.ts`) and prints the functions with the most
 * self time, in µs of CPU per request, then the same grouped by where they come from
 * (obsweave, Node's internals, the service). `correlation` is the service's option
 * (`default`, `context`, `request`, `false`); `OBSWEAVE_LOAD_PARTS` chooses what is
 * instrumented, as in `npm run bench:load`.
 */
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BackendProcess,
  driverFor,
  load,
  pinSelf,
  REQUEST,
  ServiceProcess,
  type Mode,
  type Shape,
} from './processes';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

function origin(url: string): string {
  if (url.includes('/dist/')) return 'obsweave';
  if (url.startsWith('node:') || url === '') return url === '' ? 'native/GC/idle' : 'node';
  if (url.includes('load-service')) return 'service';
  return 'other';
}

async function main(): Promise<void> {
  const [shape = 'trivial', mode = 'instrumented', correlation = 'default', seconds = '8'] =
    process.argv.slice(2);
  pinSelf();
  const dir = mkdtempSync(join(tmpdir(), 'obsweave-prof-'));
  const backend = shape === 'realistic' ? await BackendProcess.start() : undefined;
  const s = await ServiceProcess.start(
    'profiled',
    shape as Shape,
    mode as Mode,
    ['--cpu-prof', `--cpu-prof-dir=${dir}`, '--cpu-prof-interval=100'],
    correlation,
    backend?.env,
  );
  const connections = shape === 'trivial' ? 10 : 100;
  const url = `http://127.0.0.1:${s.port}${REQUEST[shape as Shape].url}`;
  const driver = driverFor(shape as Shape);
  const warm = await load(driver, REQUEST[shape as Shape], url, connections, 2);
  const r = await load(driver, REQUEST[shape as Shape], url, connections, Number(seconds));
  await s.exit();
  backend?.stop();
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'))!;
  const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as {
    nodes: ProfileNode[];
    startTime: number;
    endTime: number;
    samples: number[];
  };
  // The profile covers the process' life: every request it served, the warm-up's too.
  const requests = warm.requests + r.requests;
  const usPerHit = (profile.endTime - profile.startTime) / profile.samples.length;
  const perReq = (hits: number) => `${((hits * usPerHit) / requests).toFixed(2).padStart(6)} µs`;
  const bySelf = new Map<string, number>();
  const byOrigin = new Map<string, number>();
  let all = 0;
  for (const n of profile.nodes) {
    const hits = n.hitCount ?? 0;
    if (hits === 0) continue;
    const { functionName, url: u, lineNumber } = n.callFrame;
    if (functionName === '(idle)') continue;
    all += hits;
    const key = `${functionName || '(anonymous)'} ${u.replace(/^.*\/(dist|build)\//, '$1/')}:${lineNumber + 1}`;
    bySelf.set(key, (bySelf.get(key) ?? 0) + hits);
    const o = functionName.startsWith('(') ? functionName : origin(u);
    byOrigin.set(o, (byOrigin.get(o) ?? 0) + hits);
  }
  console.log(
    `${shape} ${mode} (correlation ${correlation}) on Node ${process.versions.node}: ` +
      `${requests} requests, profile ${join(dir, file)}`,
  );
  const top = [...bySelf].sort((a, b) => b[1] - a[1]).slice(0, 30);
  console.log(`self time per request (CPU, idle excluded): ${perReq(all)}`);
  for (const [k, v] of top)
    console.log(`  ${perReq(v)}  ${((100 * v) / all).toFixed(1).padStart(5)} %  ${k}`);
  console.log('by origin:');
  for (const [k, v] of [...byOrigin].sort((a, b) => b[1] - a[1])) {
    console.log(`  ${perReq(v)}  ${((100 * v) / all).toFixed(1).padStart(5)} %  ${k}`);
  }
}

void main();
