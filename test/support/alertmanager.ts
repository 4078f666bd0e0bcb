import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startToolProcess, type ToolProcess } from './tool-process';

/**
 * A real Alertmanager on loopback (Debian's `prometheus-alertmanager`), gossip off, with a
 * temporary config and data folder, sending every notification at once to one webhook.
 */
export type AlertmanagerServer = ToolProcess;

export interface AlertmanagerOptions {
  binary: string;
  webhookUrl: string;
  /** Extra top-level config (YAML), such as `inhibit_rules`. */
  extraConfig?: string;
}

export async function startAlertmanager(opts: AlertmanagerOptions): Promise<AlertmanagerServer> {
  const dir = mkdtempSync(join(tmpdir(), 'obsweave-am-'));
  // Every alert its own group ('...'), notified within a second of firing or resolving.
  writeFileSync(
    join(dir, 'alertmanager.yml'),
    [
      'route:',
      '  receiver: test',
      "  group_by: ['...']",
      '  group_wait: 1s',
      '  group_interval: 1s',
      '  repeat_interval: 1h',
      'receivers:',
      '  - name: test',
      '    webhook_configs:',
      `      - url: '${opts.webhookUrl}'`,
      '        send_resolved: true',
      opts.extraConfig ?? '',
    ].join('\n'),
  );
  return startToolProcess({
    name: 'alertmanager',
    binary: opts.binary,
    dir,
    args: (port) => [
      `--config.file=${join(dir, 'alertmanager.yml')}`,
      `--storage.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--cluster.listen-address=',
      '--log.level=warn',
    ],
  });
}

/** One alert of an Alertmanager webhook notification. */
export interface WebhookAlert {
  status: 'firing' | 'resolved';
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
}

/**
 * An HTTP server that takes Alertmanager's webhook notifications: every alert received, in
 * order, and a promise for the first one that matches.
 */
export class AlertReceiver {
  readonly alerts: WebhookAlert[] = [];
  private readonly waiters: {
    match: (a: WebhookAlert) => boolean;
    resolve: (a: WebhookAlert) => void;
  }[] = [];
  private server: Server | undefined;
  private listeners: ((a: WebhookAlert) => void)[] = [];

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        res.end();
        try {
          for (const a of (JSON.parse(body) as { alerts: WebhookAlert[] }).alerts) this.add(a);
        } catch {
          // not a notification
        }
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/`;
  }

  /** Calls `fn` with every alert as it arrives. */
  onAlert(fn: (a: WebhookAlert) => void): void {
    this.listeners.push(fn);
  }

  /** The first alert (received before or after) that matches, or a rejection after `ms`. */
  waitFor(
    match: (a: WebhookAlert) => boolean,
    ms: number,
    what = 'an alert',
  ): Promise<WebhookAlert> {
    const seen = this.alerts.find(match);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${what} within ${ms} ms`)), ms);
      this.waiters.push({
        match,
        resolve: (a) => {
          clearTimeout(timer);
          resolve(a);
        },
      });
    });
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve) ?? resolve(undefined));
  }

  private add(a: WebhookAlert): void {
    this.alerts.push(a);
    for (const fn of this.listeners) fn(a);
    for (const w of [...this.waiters]) {
      if (w.match(a)) {
        this.waiters.splice(this.waiters.indexOf(w), 1);
        w.resolve(a);
      }
    }
  }
}
