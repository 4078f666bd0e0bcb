import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
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
 * The service compiled to plain JavaScript beside the package, so it runs on `node` alone and
 * reaches `obsweave` (the built `dist/`) by the package's own name: no compiler hooks in the
 * measured processes.
 */
let compiled: string | undefined;
function serviceScript(): string {
  if (compiled !== undefined) return compiled;
  const source = readFileSync(join(__dirname, 'service.ts'), 'utf8');
  const { outputText } = transpileModule(source, {
    compilerOptions: {
      module: ModuleKind.CommonJS,
      target: ScriptTarget.ES2022,
      esModuleInterop: true,
    },
  });
  const dir = join(ROOT, 'build', 'bench');
  mkdirSync(dir, { recursive: true });
  writeFileSync((compiled = join(dir, 'load-service.js')), outputText);
  return compiled;
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
    const args = [...nodeArgs, serviceScript(), shape, mode, correlation];
    const options = {
      stdio: ['ignore', 'pipe', 'inherit', 'ipc'] as ('ignore' | 'pipe' | 'inherit' | 'ipc')[],
      env: { ...process.env, ...env },
    };
    const child = HAS_TASKSET
      ? spawn('taskset', ['-c', '1', process.execPath, ...args], options)
      : spawn(process.execPath, args, options);
    return new Promise((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        const nl = out.indexOf('\n');
        if (nl >= 0)
          resolve(new ServiceProcess(label, mode, JSON.parse(out.slice(0, nl)).port, child));
      });
      child.on('error', reject);
      child.on('exit', (code) => reject(new Error(`${label} exited with ${code}`)));
    });
  }

  /** The service's own CPU time so far, user + system, in µs. */
  cpuMicros(): Promise<number> {
    return new Promise((resolve) => {
      this.child.once('message', (m: { cpu: NodeJS.CpuUsage }) =>
        resolve(m.cpu.user + m.cpu.system),
      );
      this.child.send('cpu');
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
