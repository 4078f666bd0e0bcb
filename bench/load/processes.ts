/**
 * What the load bench (`load.bench.ts`) and its profiler (`profile.ts`) run besides
 * themselves: the Node binary of each line, the service (`service.ts`) and its backend
 * (`backend.ts`) as child processes, and the load generators that drive them.
 */
import {
  execFileSync,
  spawn,
  spawnSync,
  type ChildProcess,
  type Serializable,
} from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { ModuleKind, ScriptTarget, transpileModule } from 'typescript';

export type Shape = 'trivial' | 'realistic';
export type Mode = 'bare' | 'instrumented';

/** `taskset` pins the services to core 1 and the bench (the load generator) to core 0. */
export const HAS_TASKSET = spawnSync('taskset', ['-V']).status === 0;

/** Pins this process, and so autocannon running in it, to core 0. */
export function pinSelf(): boolean {
  return HAS_TASKSET && spawnSync('taskset', ['-cp', '0', String(process.pid)]).status === 0;
}

const ROOT = join(__dirname, '..', '..');

/**
 * A script of this folder compiled to plain JavaScript beside the package, so it runs on `node`
 * alone and reaches `obsweave` (the built `dist/`) by the package's own name: no compiler hooks
 * in the measured processes.
 */
const compiled = new Map<string, string>();
function script(name: 'service' | 'backend' | 'floor'): string {
  let file = compiled.get(name);
  if (file !== undefined) return file;
  const source = readFileSync(join(__dirname, `${name}.ts`), 'utf8');
  const { outputText } = transpileModule(source, {
    compilerOptions: {
      module: ModuleKind.CommonJS,
      target: ScriptTarget.ES2022,
      esModuleInterop: true,
    },
  });
  const dir = join(ROOT, 'build', 'bench');
  mkdirSync(dir, { recursive: true });
  writeFileSync((file = join(dir, `load-${name}.js`)), outputText);
  compiled.set(name, file);
  return file;
}

type Stdio = ('ignore' | 'pipe' | 'inherit' | 'ipc')[];

/**
 * Starts `args` pinned to `core` where `taskset` exists; resolves with the port it prints.
 * `launcher` goes before `node`: a tool that runs it (`valgrind …`), in the same process.
 */
function startListening(
  core: number,
  args: string[],
  env: Record<string, string>,
  label: string,
  launcher: readonly string[] = [],
): Promise<{ child: ChildProcess; port: number }> {
  const options = {
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'] as Stdio,
    env: { ...process.env, ...env },
  };
  const command = [...launcher, process.execPath, ...args];
  const child = HAS_TASKSET
    ? spawn('taskset', ['-c', String(core), ...command], options)
    : spawn(command[0], command.slice(1), options);
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const nl = out.indexOf('\n');
      if (nl >= 0) resolve({ child, port: JSON.parse(out.slice(0, nl)).port });
    });
    child.on('error', reject);
    child.on('exit', (code) => reject(new Error(`${label} exited with ${code}`)));
  });
}

/**
 * The realistic service's backend (`backend.ts`): replies `latencyMs` after each request, to
 * the microsecond. On core 0 with the load generator, so that the service's core is its own.
 */
export class BackendProcess {
  private constructor(
    readonly port: number,
    private readonly child: ChildProcess,
  ) {}

  static async start(latencyMs = 1): Promise<BackendProcess> {
    const { child, port } = await startListening(
      0,
      [script('backend'), String(latencyMs)],
      {},
      'backend',
    );
    return new BackendProcess(port, child);
  }

  /** What a service is given to reach this backend. */
  get env(): Record<string, string> {
    return { OBSWEAVE_LOAD_BACKEND: String(this.port) };
  }

  stop(): void {
    this.child.removeAllListeners('exit');
    this.child.kill();
  }
}

/**
 * The other builds of the package `OBSWEAVE_LOAD_BASELINE` names (a comma list of paths of built
 * packages), each with the label of its copy and what that copy is given to load it: a change
 * and what it was before, in one run.
 */
export function baselineBuilds(): { label: string; env: Record<string, string> }[] {
  return (process.env.OBSWEAVE_LOAD_BASELINE ?? '')
    .split(',')
    .filter(Boolean)
    .map((build) => ({
      label: `defaults, build ${basename(build)}`,
      env: { OBSWEAVE_LOAD_PACKAGE: build },
    }));
}

/** One copy of the service in its own process, on 127.0.0.1 and an ephemeral port. */
export class ServiceProcess {
  private constructor(
    readonly label: string,
    readonly mode: Mode,
    readonly port: number,
    private readonly child: ChildProcess,
  ) {}

  /**
   * `correlation` is the service's `correlation` option (`default`: left out); `nodeArgs` go
   * before the script (`--cpu-prof`); `env` is added to this process' environment; `launcher`
   * runs `node` (`valgrind …`), on `core`.
   */
  static start(
    label: string,
    shape: Shape,
    mode: Mode,
    nodeArgs: readonly string[] = [],
    correlation = 'default',
    env: Record<string, string> = {},
    { launcher = [], core = 1 }: { launcher?: readonly string[]; core?: number } = {},
  ): Promise<ServiceProcess> {
    const args = [...nodeArgs, script('service'), shape, mode, correlation];
    return ServiceProcess.launch(label, mode, args, env, launcher, core);
  }

  /** A step of `floor.ts` (the least a recorder costs), run as `start` runs the service. */
  static floor(
    step: string,
    nodeArgs: readonly string[],
    env: Record<string, string>,
    { launcher = [], core = 1 }: { launcher?: readonly string[]; core?: number } = {},
  ): Promise<ServiceProcess> {
    const mode: Mode = step === 'bare' || step === 'next' ? 'bare' : 'instrumented';
    return ServiceProcess.launch(
      step,
      mode,
      [...nodeArgs, script('floor'), step],
      env,
      launcher,
      core,
    );
  }

  private static async launch(
    label: string,
    mode: Mode,
    args: string[],
    env: Record<string, string>,
    launcher: readonly string[],
    core: number,
  ): Promise<ServiceProcess> {
    const { child, port } = await startListening(core, args, env, label, launcher);
    return new ServiceProcess(label, mode, port, child);
  }

  /** The process id: `node`'s, or that of the tool running it in the same process. */
  get pid(): number {
    return this.child.pid!;
  }

  /** The service's own CPU time so far, user + system, in µs. */
  async cpuMicros(): Promise<number> {
    const { cpu } = (await this.ask('cpu')) as { cpu: NodeJS.CpuUsage };
    return cpu.user + cpu.system;
  }

  /** Makes a switching copy (`OBSWEAVE_LOAD_SWITCH`) serve through its `k`-th middleware. */
  async use(k: number): Promise<void> {
    await this.ask({ use: k });
  }

  /** Sends `message` and resolves with the service's reply: it answers each in turn. */
  private ask(message: Serializable): Promise<unknown> {
    return new Promise((resolve) => {
      this.child.once('message', resolve);
      this.child.send(message);
    });
  }

  /** One Prometheus scrape of `/metrics`, read to the end; resolves to its size in bytes. */
  scrape(): Promise<number> {
    return new Promise((resolve) => {
      const req = get(
        { host: '127.0.0.1', port: this.port, path: '/metrics', headers: { accept: 'text/plain' } },
        (res) => {
          let n = 0;
          res.on('data', (d: Buffer) => (n += d.length));
          res.on('end', () => resolve(n));
          res.on('error', () => resolve(-1));
        },
      );
      req.on('error', () => resolve(-1));
    });
  }

  /** Asks the service to exit normally (so that `--cpu-prof` writes its file) and waits. */
  exit(): Promise<void> {
    this.child.removeAllListeners('exit');
    return new Promise((resolve) => {
      this.child.once('exit', () => resolve());
      this.child.send('exit');
    });
  }

  stop(): void {
    this.child.removeAllListeners('exit');
    this.child.kill();
  }
}

/** What autocannon sends to each shape of the service. */
export interface RequestSpec {
  url: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
}

const JOB = JSON.stringify({
  name: 'interview-2024-03-18.mp4',
  language: 'en',
  callbackUrl: 'https://hooks.example.com/jobs',
  options: { diarize: true, speakers: 2, punctuate: true, vocabulary: ['obsweave', 'Prometheus'] },
});

export const REQUEST: Record<Shape, RequestSpec> = {
  trivial: { url: '/api/jobs/123' },
  realistic: {
    url: '/api/jobs',
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JOB,
  },
};

/**
 * The load generators a round can run: `wrk` (Debian's, when on `PATH`) and autocannon (from
 * npm, always there). Both run on the bench's core (a child inherits its pinning) and hold
 * `connections` keep-alive connections for `seconds`, one request at a time on each.
 *
 * `wrk` is what a case "at full load" needs: written in C, one of its threads keeps a
 * trivial Node service saturated, where autocannon, itself JavaScript on one core, is the
 * bottleneck first and leaves the service idle part of the time.
 */

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

/**
 * Exactly `amount` requests of `spec` over `connections` keep-alive connections, one at a time on
 * each, by autocannon: for a count that must cover a fixed number of requests, not seconds. Each
 * may take up to two minutes: a service under Valgrind answers its first requests that slowly.
 */
export async function loadCount(
  spec: RequestSpec,
  url: string,
  connections: number,
  amount: number,
): Promise<void> {
  const r = await autocannon({ ...spec, url, connections, amount, timeout: 120 });
  const failed = r.errors + r.timeouts + r.non2xx;
  if (failed > 0) {
    throw new Error(
      `${failed} of ${amount} requests to ${url} failed (${r.errors} errors, ${r.timeouts} timeouts, ${r.non2xx} not 2xx)`,
    );
  }
}

/** A Lua script giving wrk the request's method, headers and body, when it has any. */
const scripts = new Map<RequestSpec, string>();
function wrkScript(spec: RequestSpec): string | undefined {
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
  const lua = wrkScript(spec);
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

const ARCH = process.arch === 'arm64' ? 'arm64' : 'x64';

function major(node: string): number | undefined {
  try {
    const v = execFileSync(node, ['--version'], { encoding: 'utf8' }).trim();
    return Number(v.replace(/^v/, '').split('.')[0]);
  } catch {
    return undefined;
  }
}

function nodeOf(entry: string): string {
  return existsSync(entry) && statSync(entry).isDirectory() ? join(entry, 'node') : entry;
}

let tmp: string | undefined;

export function tmpDir(): string {
  return (tmp ??= mkdtempSync(join(tmpdir(), 'obsweave-node-')));
}

/** `node-linux-<arch>@<line>` from the npm registry, in a temporary folder. */
function install(line: number): string | undefined {
  const prefix = join(tmpDir(), `node${line}`);
  const r = spawnSync(
    'npm',
    [
      'install',
      '--prefix',
      prefix,
      '--no-save',
      '--no-audit',
      '--no-fund',
      '--loglevel=error',
      `node-linux-${ARCH}@${line}`,
    ],
    { stdio: ['ignore', 'inherit', 'inherit'] },
  );
  const node = join(prefix, 'node_modules', `node-linux-${ARCH}`, 'bin', 'node');
  return r.status === 0 && major(node) === line ? node : undefined;
}

/** The `node` of `line`, first found of the places `npm run bench:load` names. */
export function findNode(line: number): string | undefined {
  for (const entry of (process.env.OBSWEAVE_NODE_BINS ?? '').split(',').filter(Boolean)) {
    const node = nodeOf(entry);
    if (major(node) === line) return node;
  }
  if (major(process.execPath) === line) return process.execPath;
  const opt = `/opt/node${line}/node_modules/node-linux-${ARCH}/bin/node`;
  if (major(opt) === line) return opt;
  return install(line);
}

/** Removes what `tmpDir()` and `install()` made. */
export function removeTmpDir(): void {
  if (tmp !== undefined) rmSync(tmp, { recursive: true, force: true });
  tmp = undefined;
}
