import test from 'ava';
import { execFileSync } from 'node:child_process';
import {
  cpSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  mkdirSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(__dirname, '../..');

test('obsweave loads and records where @opentelemetry/api cannot be resolved', (t) => {
  // A project folder holding only obsweave's build and its runtime dependencies.
  const dir = mkdtempSync(join(tmpdir(), 'obsweave-no-otel-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const pkg = join(dir, 'node_modules', 'obsweave');
  mkdirSync(pkg, { recursive: true });
  cpSync(join(root, 'dist'), join(pkg, 'dist'), { recursive: true });
  cpSync(join(root, 'package.json'), join(pkg, 'package.json'));
  const { dependencies } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  for (const dep of Object.keys(dependencies)) {
    symlinkSync(join(root, 'node_modules', dep), join(dir, 'node_modules', dep));
  }
  writeFileSync(
    join(dir, 'main.js'),
    `
    let otel = 'resolvable';
    try { require.resolve('@opentelemetry/api'); } catch { otel = 'missing'; }
    const { MetricsRegistry, withStage } = require('obsweave');
    const registry = new MetricsRegistry();
    withStage('probe', () => 1, { registry });
    let otelEntry = 'loaded';
    try { require('obsweave/otel'); } catch (e) { otelEntry = e.code; }
    console.log(JSON.stringify({ otel, otelEntry, count: registry.snapshot().histograms['worker.stage_latency_ms|stage=probe'].count }));
    `,
  );
  const out = JSON.parse(
    execFileSync(process.execPath, ['main.js'], { cwd: dir, encoding: 'utf8' }),
  );
  t.deepEqual(out, { otel: 'missing', otelEntry: 'MODULE_NOT_FOUND', count: 1 });
});
