import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createServer } from 'node:net';

/** A server binary (Prometheus, Alertmanager, the Pushgateway) running on a loopback port. */
export interface ToolProcess {
  readonly url: string;
  /** `host:port`. */
  readonly host: string;
  /** What it printed, for failure messages. */
  output(): string;
  /** SIGTERM, SIGKILL after 5 s; then the folder it was given is removed. */
  stop(): Promise<void>;
}

export interface ToolProcessOptions {
  /** For messages: `prometheus exited: …`. */
  name: string;
  binary: string;
  /** Its flags; `port` is the one it must listen on (127.0.0.1). */
  args(port: number): string[];
  /** A folder of its own (config, data), removed on stop. */
  dir?: string;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Starts the binary and resolves once its `/-/ready` answers OK; an early exit (a bad flag)
 * or 30 s without readiness rejects, with what it printed.
 */
export async function startToolProcess(opts: ToolProcessOptions): Promise<ToolProcess> {
  const port = await freePort();
  const proc = spawn(opts.binary, opts.args(port), { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout.on('data', (d) => (out += d));
  proc.stderr.on('data', (d) => (out += d));
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  const host = `127.0.0.1:${port}`;
  const tool: ToolProcess = {
    url: `http://${host}`,
    host,
    output: () => out,
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
      const killer = setTimeout(() => proc.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(killer);
      if (opts.dir !== undefined) rmSync(opts.dir, { recursive: true, force: true });
    },
  };
  const deadline = Date.now() + 30000;
  for (;;) {
    if (proc.exitCode !== null) {
      await tool.stop();
      throw new Error(`${opts.name} exited:\n${out}`);
    }
    try {
      if ((await fetch(`${tool.url}/-/ready`)).ok) return tool;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await tool.stop();
      throw new Error(`${opts.name} not ready:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
