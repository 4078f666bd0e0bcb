import test from 'ava';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(__dirname, '../..');

test('obsweave/otel loads, and its producer collects, without @opentelemetry/sdk-metrics', (t) => {
  // A project with obsweave's build, its runtime dependency and the API: no SDK to resolve.
  const dir = mkdtempSync(join(tmpdir(), 'obsweave-no-sdk-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const pkg = join(dir, 'node_modules', 'obsweave');
  mkdirSync(join(dir, 'node_modules', '@opentelemetry'), { recursive: true });
  mkdirSync(pkg, { recursive: true });
  cpSync(join(root, 'dist'), join(pkg, 'dist'), { recursive: true });
  cpSync(join(root, 'package.json'), join(pkg, 'package.json'));
  for (const dep of ['reflect-metadata', '@opentelemetry/api']) {
    symlinkSync(join(root, 'node_modules', dep), join(dir, 'node_modules', dep));
  }
  writeFileSync(
    join(dir, 'main.js'),
    `
    let sdk = 'resolvable';
    try { require.resolve('@opentelemetry/sdk-metrics'); } catch { sdk = 'missing'; }
    const { MetricsRegistry } = require('obsweave');
    const { otelMetricProducer } = require('obsweave/otel');
    const registry = new MetricsRegistry();
    registry.counter('jobs.done_total').inc(2);
    otelMetricProducer(registry).collect().then((r) => {
      const m = r.resourceMetrics.scopeMetrics[0].metrics.find((x) => x.descriptor.name === 'jobs.done');
      console.log(JSON.stringify({ sdk, errors: r.errors.length, value: m.dataPoints[0].value }));
    });
    `,
  );
  const out = JSON.parse(
    execFileSync(process.execPath, ['main.js'], { cwd: dir, encoding: 'utf8' }),
  );
  t.deepEqual(out, { sdk: 'missing', errors: 0, value: 2 });
});
