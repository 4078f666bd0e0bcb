/**
 * The load generators a round can run: `wrk` (Debian's, when on `PATH`) and autocannon (from
 * npm, always there). Both run on the bench's core (a child inherits its pinning) and hold
 * `connections` keep-alive connections for `seconds`, one request at a time on each.
 *
 * `wrk` is what a case "at full load" needs: written in C, one of its threads keeps a
 * trivial Node service saturated, where autocannon, itself JavaScript on one core, is the
 * bottleneck first and leaves the service idle part of the time.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RequestSpec } from './requests';
import type { Shape } from './service-process';

export type Driver = 'wrk' | 'autocannon';

/** What one round of load measured. */
export interface LoadRun {
  requests: number;
  /** Seconds the load ran. */
  seconds: number;
  /** Latency percentiles, ms. */
  p50: number;
  p99: number;
  /** Requests that failed: socket errors, timeouts, non-2xx answers. */
  errors: number;
}

const HAS_WRK = spawnSync('wrk', ['--version']).error === undefined;

/**
 * What drives a service to be saturated: `wrk` when on `PATH`, else autocannon;
 * `OBSWEAVE_LOAD_DRIVER=autocannon` asks for autocannon anyway.
 */
export const FULL_LOAD: Driver =
  process.env.OBSWEAVE_LOAD_DRIVER === 'autocannon' || !HAS_WRK ? 'autocannon' : 'wrk';

/**
 * How a shape is driven: the trivial one at full load, the realistic one by autocannon, where
 * the service waits on its backend and the client is not the limit.
 */
export function driverFor(shape: Shape): Driver {
  return shape === 'trivial' ? FULL_LOAD : 'autocannon';
}

// autocannon ships no types: the part of its API used here.
interface AutocannonResult {
  requests: { total: number };
  latency: { p50: number; p99: number };
  duration: number;
  errors: number;
  timeouts: number;
  non2xx: number;
}
const autocannon = require('autocannon') as (opts: object) => Promise<AutocannonResult>;

export async function load(
  driver: Driver,
  spec: RequestSpec,
  url: string,
  connections: number,
  seconds: number,
): Promise<LoadRun> {
  if (driver === 'wrk') return wrk(spec, url, connections, seconds);
  const r = await autocannon({ ...spec, url, connections, duration: seconds });
  return {
    requests: r.requests.total,
    seconds: r.duration,
    p50: r.latency.p50,
    p99: r.latency.p99,
    errors: r.errors + r.timeouts + r.non2xx,
  };
}

/** A Lua script giving wrk the request's method, headers and body, when it has any. */
const scripts = new Map<RequestSpec, string>();
function script(spec: RequestSpec): string | undefined {
  if (spec.method === undefined && spec.headers === undefined && spec.body === undefined) {
    return undefined;
  }
  let file = scripts.get(spec);
  if (file === undefined) {
    const lines = [`wrk.method = ${JSON.stringify(spec.method ?? 'GET')}`];
    for (const [k, v] of Object.entries(spec.headers ?? {})) {
      lines.push(`wrk.headers[${JSON.stringify(k)}] = ${JSON.stringify(v)}`);
    }
    if (spec.body !== undefined) lines.push(`wrk.body = ${JSON.stringify(spec.body)}`);
    file = join(mkdtempSync(join(tmpdir(), 'obsweave-wrk-')), 'request.lua');
    writeFileSync(file, `${lines.join('\n')}\n`);
    scripts.set(spec, file);
  }
  return file;
}

const UNIT_MS: Record<string, number> = { us: 1e-3, ms: 1, s: 1e3, m: 6e4 };

function wrk(
  spec: RequestSpec,
  url: string,
  connections: number,
  seconds: number,
): Promise<LoadRun> {
  const lua = script(spec);
  const args = ['-t1', `-c${connections}`, `-d${seconds}s`, '--latency'];
  if (lua !== undefined) args.push('-s', lua);
  return new Promise((resolve, reject) => {
    const child = spawn('wrk', [...args, url], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const done = /(\d+) requests in ([\d.]+)(us|ms|s|m),/.exec(out);
      if (code !== 0 || done === null) return reject(new Error(`wrk failed (${code}):\n${out}`));
      const pct = (p: string): number => {
        const m = new RegExp(`^\\s+${p}%\\s+([\\d.]+)(us|ms|s|m)`, 'm').exec(out);
        return m === null ? NaN : Number(m[1]) * UNIT_MS[m[2]];
      };
      const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(
        out,
      );
      const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(out);
      resolve({
        requests: Number(done[1]),
        seconds: (Number(done[2]) * UNIT_MS[done[3]]) / 1000,
        p50: pct('50'),
        p99: pct('99'),
        errors:
          (socket === null ? 0 : socket.slice(1).reduce((n, x) => n + Number(x), 0)) +
          (non2xx === null ? 0 : Number(non2xx[1])),
      });
    });
  });
}
