import { spawn } from 'node:child_process';
import { createServer } from 'node:net';

/** A real Pushgateway on loopback, persistence off, stopped by `stop()`. */
export interface Pushgateway {
  readonly url: string;
  /** The samples of the gateway's own `/metrics`: every pushed series plus its own. */
  samples(): Promise<Sample[]>;
  stop(): Promise<void>;
  output(): string;
}

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
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

export async function startPushgateway(binary: string): Promise<Pushgateway> {
  const port = await freePort();
  const proc = spawn(
    binary,
    [
      `--web.listen-address=127.0.0.1:${port}`,
      // Debian's default keeps a file under /var/lib; an empty path keeps everything in memory.
      '--persistence.file=',
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  proc.stdout.on('data', (d) => (out += d));
  proc.stderr.on('data', (d) => (out += d));
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const gateway: Pushgateway = {
    url,
    output: () => out,
    async samples() {
      const res = await fetch(`${url}/metrics`);
      return parseText(await res.text());
    },
    async stop() {
      if (proc.exitCode === null) proc.kill('SIGTERM');
      await exited;
    },
  };
  // Ready when it answers; an early exit (a bad flag) reports at once.
  const deadline = Date.now() + 30000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`pushgateway exited:\n${out}`);
    try {
      if ((await fetch(`${url}/-/ready`)).ok) return gateway;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await gateway.stop();
      throw new Error(`pushgateway not ready:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\d+)?$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)",?/g;

/** Text format 0.0.4 into samples: enough of a parser for what a gateway answers. */
export function parseText(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = SAMPLE.exec(line);
    if (m === null) throw new Error(`unparsed line: ${line}`);
    const labels: Record<string, string> = {};
    for (const [, k, v] of (m[2] ?? '').matchAll(LABEL)) {
      labels[k] = v.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    }
    out.push({ name: m[1], labels, value: Number(m[3]) });
  }
  return out;
}
