import { spawn, spawnSync, type ChildProcess, type Serializable } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { join } from 'node:path';
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
function script(name: 'service' | 'backend'): string {
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

/** Starts `args` pinned to `core` where `taskset` exists; resolves with the port it prints. */
function startListening(
  core: number,
  args: string[],
  env: Record<string, string>,
  label: string,
): Promise<{ child: ChildProcess; port: number }> {
  const options = {
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'] as Stdio,
    env: { ...process.env, ...env },
  };
  const child = HAS_TASKSET
    ? spawn('taskset', ['-c', String(core), process.execPath, ...args], options)
    : spawn(process.execPath, args, options);
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
   * before the script (`--cpu-prof`); `env` is added to this process' environment.
   */
  static start(
    label: string,
    shape: Shape,
    mode: Mode,
    nodeArgs: readonly string[] = [],
    correlation = 'default',
    env: Record<string, string> = {},
  ): Promise<ServiceProcess> {
    const args = [...nodeArgs, script('service'), shape, mode, correlation];
    return startListening(1, args, env, label).then(
      ({ child, port }) => new ServiceProcess(label, mode, port, child),
    );
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
