import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MetricsRegistry } from '../../src';
import { sloRulesYaml } from '../../src/slo';
import { MEDIA_WORKER_ALERT_SLOS, PAGE_INHIBITS_TICKET } from '../../examples/demo/alerts';
import { Traffic } from '../../examples/demo/traffic';
import { ASR_THROTTLING, NO_FAULTS, startMediaWorker } from '../../examples/media-worker';
import { AlertReceiver, startAlertmanager, type WebhookAlert } from '../support/alertmanager';
import { startPrometheus } from '../support/prometheus';
import { requireTool, serialTestWithTools } from '../support/tools';

/** 1h becomes 30s, 5m 2.5s, 30d 6h: minutes of a real incident play out in seconds. */
const WINDOW_SCALE = 1 / 120;
/** Scrapes and evaluations: the 2.5s window holds five samples. */
const INTERVAL = '500ms';
/**
 * Fault-free traffic before the fault (15s): the error ratios over the long windows (which
 * reach back to the start here) keep the clean history real ones have.
 */
const BASELINE_SCRAPES = 30;

const isAsrPage = (a: WebhookAlert) =>
  a.labels.slo === 'external-calls' && a.labels.service === 'asr' && a.labels.severity === 'page';

serialTestWithTools('prometheus', 'prometheus-alertmanager')(
  'a throttling provider pages through a real Prometheus and Alertmanager, names the service, and resolves',
  async (t) => {
    const prometheusBin = requireTool(t, 'prometheus');
    const alertmanagerBin = requireTool(t, 'prometheus-alertmanager');
    if (prometheusBin === undefined || alertmanagerBin === undefined) return;
    t.timeout(300_000);

    const receiver = new AlertReceiver();
    const webhookUrl = await receiver.start();
    t.teardown(() => receiver.stop());
    receiver.onAlert((a) => t.log(`${a.status} ${JSON.stringify(a.labels)}`));
    const alertmanager = await startAlertmanager({
      binary: alertmanagerBin,
      webhookUrl,
      extraConfig: PAGE_INHIBITS_TICKET,
    });
    t.teardown(() => alertmanager.stop());

    const app = await startMediaWorker({ seed: 17, latencyScale: 0.2, faults: NO_FAULTS });
    t.teardown(() => app.close());
    const traffic = new Traffic(app.url, { users: 4, thinkMs: 50 }).start();
    t.teardown(() => traffic.stop({ drain: false }));

    const dir = mkdtempSync(join(tmpdir(), 'obsweave-slo-e2e-'));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    const rules = join(dir, 'slo-rules.yml');
    writeFileSync(
      rules,
      sloRulesYaml(MEDIA_WORKER_ALERT_SLOS, {
        registry: new MetricsRegistry(),
        windowScale: WINDOW_SCALE,
      }),
    );
    const prometheus = await startPrometheus({
      binary: prometheusBin,
      targets: [new URL(app.url).host],
      scrapeInterval: INTERVAL,
      evaluationInterval: INTERVAL,
      ruleFiles: [rules],
      alertmanagers: [alertmanager.host],
    });
    t.teardown(() => prometheus.stop());
    await prometheus.waitForScrapes(BASELINE_SCRAPES, 90_000);
    t.deepEqual(receiver.alerts, [], 'nothing fires on a healthy service');

    const faultsOn = Date.now();
    app.setFaults(ASR_THROTTLING);
    const page = await receiver.waitFor(
      (a) => a.status === 'firing' && isAsrPage(a),
      120_000,
      'page for the asr calls',
    );
    const fired = Date.now();
    t.log(`page received ${((fired - faultsOn) / 1000).toFixed(1)} s after the fault`);
    t.regex(
      page.annotations.summary,
      /^SLO external-calls \(job=[\w-]+, service=asr\) burns its 30d error budget fast: [\d.]+x/,
    );
    t.regex(page.annotations.error_budget_remaining, /^-?[\d.e+]+%$/);
    t.is(page.annotations.objective, '99%');

    const faultsOff = Date.now();
    app.setFaults({ asrRateLimit: NO_FAULTS.asrRateLimit });
    // The fault stops as soon as the page arrives, while the error ratio is still near the
    // page's threshold: with a 2.5s short window the page may go out and come back once
    // before the ratio falls (no `for:`, as the rules promise), and the resolution that
    // counts is the one after the fault stopped.
    const resolved = await receiver.waitFor(
      (a) => a.status === 'resolved' && isAsrPage(a) && Date.parse(a.endsAt) >= faultsOff,
      120_000,
      'the page resolved',
    );
    t.log(
      `page resolved ${((Date.now() - faultsOff) / 1000).toFixed(1)} s after the fault stopped`,
    );
    t.true(
      Date.parse(resolved.startsAt) >= Date.parse(page.startsAt),
      'the page of this fault, not an older one',
    );
    const stillPaging = await prometheus.query(
      'ALERTS{alertstate="firing",service="asr",severity="page"}',
    );
    t.deepEqual(stillPaging, [], 'once resolved, the page is over in Prometheus too');

    // No other service, no page of any other SLO, and no absent-data alert fired at any time:
    // Prometheus' own record of alerts. A job fails for real only when its three ASR attempts
    // are all throttled (about 1 in 300); in these compressed windows one such job can ticket
    // the jobs SLO, which is then right to, and is allowed only with a failed job behind it.
    const jobs = await prometheus.query<{ metric: { to: string }; value: [number, string] }>(
      'sum by (to) (jobs_status_transition_total{to=~"completed|failed"})',
    );
    t.log(`jobs: ${jobs.map((r) => `${r.metric.to} ${r.value[1]}`).join(', ')}`);
    const failedJobs = Number(jobs.find((r) => r.metric.to === 'failed')?.value[1] ?? 0);
    const others = await prometheus.query<{ metric: Record<string, string> }>(
      'max_over_time(ALERTS{alertstate="firing",service!="asr"}[10m])',
    );
    const isJobsTicket = (labels: Record<string, string>) =>
      labels.slo === 'jobs' && labels.severity === 'ticket' && failedJobs > 0;
    t.deepEqual(
      others.filter((r) => !isJobsTicket(r.metric)),
      [],
      'only the asr calls burned their budget',
    );
    t.true(
      receiver.alerts.every(
        (a) =>
          (a.labels.slo === 'external-calls' && a.labels.service === 'asr') ||
          isJobsTicket(a.labels),
      ),
      'every notification is about the asr calls, or a jobs ticket for jobs that did fail',
    );
  },
);
