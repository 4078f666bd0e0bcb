import { accessSync, constants, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { MetricsRegistry } from 'obsweave';
import { DEFAULT_SLOS, sloRulesYaml, type Slo } from 'obsweave/slo';
import {
  AlertReceiver,
  startAlertmanager,
  type WebhookAlert,
} from '../../test/support/alertmanager';
import { startPrometheus } from '../../test/support/prometheus';
import { ASR_THROTTLING, NO_FAULTS, startMediaWorker } from '../media-worker';
import { Traffic } from './traffic';

/**
 * `npm run demo -- --alerts`: the media-worker, a Prometheus that scrapes it every second with
 * obsweave's SLO rules (windows scaled by 1/60: 1h is a minute), and an Alertmanager that
 * notifies this process. After half a minute of healthy traffic the ASR provider starts
 * throttling; once the page arrives the fault stops, and the page resolves.
 */

const WINDOW_SCALE = 1 / 60;

/**
 * DEFAULT_SLOS, with the latency SLO leaving out the job event streams: a stream stays open
 * as long as its job runs, so it is always "slow", and would burn the budget of a healthy API.
 */

/** Alertmanager's inhibition docs/slos.md advises: while a page fires, its ticket stays quiet. */
export const PAGE_INHIBITS_TICKET = [
  'inhibit_rules:',
  '  - source_matchers: [severity="page"]',
  '    target_matchers: [severity="ticket"]',
  '    equal: [slo, job, service]',
].join('\n');

export const MEDIA_WORKER_ALERT_SLOS: readonly Slo[] = DEFAULT_SLOS.map((slo) =>
  slo.name === 'http-latency'
    ? {
        ...slo,
        sli: {
          latency: {
            metric: 'http.request_latency_ms',
            thresholdMs: 1000,
            match: 'route!="/api/jobs/:id/events"',
          },
        },
      }
    : slo,
);
const HEALTHY_SCRAPES = 30;

function which(...names: string[]): string | undefined {
  for (const name of names) {
    for (const dir of (process.env.PATH ?? '').split(delimiter)) {
      if (dir === '') continue;
      try {
        accessSync(join(dir, name), constants.X_OK);
        return join(dir, name);
      } catch {
        // not here
      }
    }
  }
  return undefined;
}

const time = () => new Date().toISOString().slice(11, 19);

function show(a: WebhookAlert): void {
  const who = `${a.labels.slo}${a.labels.service ? ` service=${a.labels.service}` : ''}`;
  const what = `${a.status.toUpperCase()} ${a.labels.severity} ${a.labels.alertname} (${who})`;
  console.log(`${time()}  ${what}`);
  if (a.status === 'firing') {
    console.log(`          ${a.annotations.summary}`);
    console.log(`          budget left: ${a.annotations.error_budget_remaining}`);
  }
}

export async function alertsDemo(): Promise<number> {
  const prometheusBin = which('prometheus');
  const alertmanagerBin = which('alertmanager', 'prometheus-alertmanager');
  if (prometheusBin === undefined || alertmanagerBin === undefined) {
    console.error(
      'The alerts demo needs prometheus and alertmanager on PATH.\n' +
        'Debian/Ubuntu: sudo apt-get install prometheus prometheus-alertmanager\n' +
        'Elsewhere: https://prometheus.io/download/ (prometheus and alertmanager)',
    );
    return 1;
  }
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch(() => {});
  };
  process.once('SIGINT', () => void stopAll().then(() => process.exit(130)));
  try {
    const receiver = new AlertReceiver();
    const webhookUrl = await receiver.start();
    stops.push(() => receiver.stop());
    receiver.onAlert(show);
    const alertmanager = await startAlertmanager({
      binary: alertmanagerBin,
      webhookUrl,
      extraConfig: PAGE_INHIBITS_TICKET,
    });
    stops.push(() => alertmanager.stop());

    const app = await startMediaWorker({ latencyScale: 0.2, faults: NO_FAULTS });
    stops.push(() => app.close());
    const traffic = new Traffic(app.url, { users: 4, thinkMs: 50 }).start();
    stops.push(() => traffic.stop({ drain: false }));

    const dir = mkdtempSync(join(tmpdir(), 'obsweave-demo-'));
    stops.push(async () => rmSync(dir, { recursive: true, force: true }));
    const rules = join(dir, 'slo-rules.yml');
    const registry = new MetricsRegistry();
    writeFileSync(
      rules,
      sloRulesYaml(MEDIA_WORKER_ALERT_SLOS, { registry, windowScale: WINDOW_SCALE }),
    );
    const prometheus = await startPrometheus({
      binary: prometheusBin,
      targets: [new URL(app.url).host],
      scrapeInterval: '1s',
      ruleFiles: [rules],
      alertmanagers: [alertmanager.host],
    });
    stops.push(() => prometheus.stop());

    console.log(`media-worker  ${app.url}/metrics?format=prometheus`);
    console.log(
      `prometheus    ${prometheus.url}/alerts  (rules: ${rules}, windows x${WINDOW_SCALE.toFixed(4)})`,
    );
    console.log(`alertmanager  ${alertmanager.url}`);
    console.log(`${time()}  healthy traffic for ${HEALTHY_SCRAPES}s...`);
    await prometheus.waitForScrapes(HEALTHY_SCRAPES, 120_000);
    const calls = await prometheus.api<{
      result: { metric: { outcome: string }; value: [number, string] }[];
    }>(
      `query?query=${encodeURIComponent('sum by (outcome) (external_calls_total{service="asr"})')}`,
    );
    console.log(
      `${time()}  healthy: asr calls ${calls.result.map((r) => `${r.metric.outcome} ${r.value[1]}`).join(', ')}`,
    );

    console.log(`${time()}  fault ON: the ASR provider throttles 15% of calls (429)`);
    app.setFaults(ASR_THROTTLING);
    const isPage = (a: WebhookAlert) => a.labels.severity === 'page' && a.labels.service === 'asr';
    await receiver.waitFor((a) => a.status === 'firing' && isPage(a), 180_000, 'page');
    console.log(`${time()}  fault OFF`);
    app.setFaults({ asrRateLimit: 0 });
    await receiver.waitFor((a) => a.status === 'resolved' && isPage(a), 180_000, 'resolved page');
    console.log(
      `${time()}  the page resolved; the ticket keeps firing until its 6h window (6 min here) forgets. Done.`,
    );
    return 0;
  } finally {
    await stopAll();
  }
}
