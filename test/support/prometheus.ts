import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startToolProcess } from './tool-process';

export { freePort } from './tool-process';

/**
 * A real Prometheus server on loopback, with a temporary config and data folder, scraping the
 * given targets. Stopped (and its folder removed) by `stop()`.
 */
export interface PrometheusServer {
  readonly url: string;
  /** GET `/api/v1/<path>` and return its `data`; throws on an error status. */
  api<T = unknown>(path: string): Promise<T>;
  /** The `result` of an instant query of `promql` (`/api/v1/query`), at the server's now. */
  query<R = unknown>(promql: string): Promise<R[]>;
  /** Resolves once every target has been scraped successfully at least `n` times. */
  waitForScrapes(n?: number, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
  /** What the server printed, for failure messages. */
  output(): string;
}

export interface PrometheusOptions {
  binary: string;
  /** `host:port` of each target. */
  targets: string[];
  metricsPath?: string;
  scrapeInterval?: string;
  features?: string[];
  /** Extra scrape config lines (YAML, indented for a scrape job). */
  extraScrapeConfig?: string;
  /** Rule files to load, evaluated every `evaluationInterval` (default: the scrape interval). */
  ruleFiles?: string[];
  evaluationInterval?: string;
  /** `host:port` of the Alertmanagers that alerts are sent to. */
  alertmanagers?: string[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function startPrometheus(opts: PrometheusOptions): Promise<PrometheusServer> {
  const dir = mkdtempSync(join(tmpdir(), 'obsweave-prom-'));
  const interval = opts.scrapeInterval ?? '1s';
  writeFileSync(
    join(dir, 'prometheus.yml'),
    [
      'global:',
      `  scrape_interval: ${interval}`,
      `  scrape_timeout: ${interval}`,
      `  evaluation_interval: ${opts.evaluationInterval ?? interval}`,
      ...(opts.ruleFiles?.length
        ? ['rule_files:', ...opts.ruleFiles.map((f) => `  - '${f}'`)]
        : []),
      ...(opts.alertmanagers?.length
        ? [
            'alerting:',
            '  alertmanagers:',
            '    - static_configs:',
            `        - targets: [${opts.alertmanagers.map((t) => `'${t}'`).join(', ')}]`,
          ]
        : []),
      'scrape_configs:',
      '  - job_name: app',
      `    metrics_path: ${opts.metricsPath ?? '/metrics'}`,
      '    static_configs:',
      `      - targets: [${opts.targets.map((t) => `'${t}'`).join(', ')}]`,
      opts.extraScrapeConfig ?? '',
    ].join('\n'),
  );
  const proc = await startToolProcess({
    name: 'prometheus',
    binary: opts.binary,
    dir,
    args: (port) => [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
      ...(opts.features?.length ? [`--enable-feature=${opts.features.join(',')}`] : []),
    ],
  });
  const url = proc.url;

  const api = async <T>(path: string): Promise<T> => {
    const res = await fetch(`${url}/api/v1/${path}`);
    const body = (await res.json()) as { status: string; data: T; error?: string };
    if (body.status !== 'success') throw new Error(`prometheus ${path}: ${body.error}`);
    return body.data;
  };

  const query = async <R>(promql: string): Promise<R[]> =>
    (await api<{ result: R[] }>(`query?query=${encodeURIComponent(promql)}`)).result;

  const server: PrometheusServer = {
    url,
    api,
    query,
    output: proc.output,
    async waitForScrapes(n = 2, timeoutMs = 30000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        try {
          // `up` is written once per scrape; count its samples over the last minute.
          const r = await query<{ value: [number, string] }>('count_over_time(up[1m])');
          const ups = await query<{ value: [number, string] }>('min(up)');
          const counts = r.map((x) => Number(x.value[1]));
          if (
            counts.length === opts.targets.length &&
            Math.min(...counts) >= n &&
            ups[0]?.value[1] === '1'
          ) {
            return;
          }
        } catch {
          // not up yet
        }
        if (Date.now() > deadline) {
          throw new Error(`no ${n} successful scrapes in time:\n${proc.output()}`);
        }
        await sleep(250);
      }
    },
    stop: proc.stop,
  };
  return server;
}
