import { startToolProcess } from './tool-process';

export { freePort } from './tool-process';

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

export async function startPushgateway(binary: string): Promise<Pushgateway> {
  const proc = await startToolProcess({
    name: 'pushgateway',
    binary,
    args: (port) => [
      `--web.listen-address=127.0.0.1:${port}`,
      // Debian's default keeps a file under /var/lib; an empty path keeps everything in memory.
      '--persistence.file=',
      '--log.level=warn',
    ],
  });
  return {
    url: proc.url,
    output: proc.output,
    stop: proc.stop,
    async samples() {
      const res = await fetch(`${proc.url}/metrics`);
      return parseText(await res.text());
    },
  };
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
