import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { MetricsRegistry } from '../core/metrics-registry';
import type { MetricType } from '../core/types';
import { DEFAULT_SLOS } from './default-slos';
import type { Slo } from './slo';
import { sloRulesYaml } from './yaml';

export const SLO_RULES_USAGE = `Usage: obsweave slo-rules [--config slos.json] [--out rules.yml] [--window-scale 1]

Writes Prometheus recording and alerting rules for the SLOs in the config file (default:
obsweave's DEFAULT_SLOS) to --out, or to stdout. The config is a JSON array of SLOs, or
{ "slos": [...], "metrics": [{ "name", "type", "labelNames", "buckets" }] } to declare
metrics beyond obsweave's catalog. The file is written only when every SLO is valid.`;

export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
}

interface Config {
  slos: Slo[];
  registry: MetricsRegistry;
}

/** `obsweave slo-rules ...`: the exit code; every problem is one clear line on stderr. */
export function sloRulesCli(argv: readonly string[], io: CliIo): number {
  let values: { config?: string; out?: string; 'window-scale'?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        config: { type: 'string', short: 'c' },
        out: { type: 'string', short: 'o' },
        'window-scale': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (e) {
    io.stderr(`obsweave slo-rules: ${(e as Error).message}\n\n${SLO_RULES_USAGE}\n`);
    return 2;
  }
  if (values.help === true) {
    io.stdout(`${SLO_RULES_USAGE}\n`);
    return 0;
  }
  try {
    const { slos, registry } =
      values.config === undefined
        ? { slos: [...DEFAULT_SLOS], registry: new MetricsRegistry() }
        : readConfig(values.config);
    const scale = values['window-scale'];
    const windowScale = scale === undefined ? undefined : Number(scale);
    if (windowScale !== undefined && (scale!.trim() === '' || Number.isNaN(windowScale))) {
      throw new Error(`--window-scale must be a number, got "${scale}"`);
    }
    const yaml = sloRulesYaml(slos, { registry, windowScale });
    if (values.out === undefined) io.stdout(yaml);
    else writeWhole(values.out, yaml);
    return 0;
  } catch (e) {
    io.stderr(`obsweave slo-rules: ${(e as Error).message.replace(/^obsweave: /, '')}\n`);
    return 1;
  }
}

function readConfig(path: string): Config {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new Error(`cannot read config ${path}: ${(e as Error).message}`, { cause: e });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new Error(`config ${path} is not valid JSON: ${(e as Error).message}`, { cause: e });
  }
  const registry = new MetricsRegistry();
  if (Array.isArray(json)) return { slos: json as Slo[], registry };
  const { slos, metrics } = (json ?? {}) as { slos?: unknown; metrics?: unknown };
  if (!Array.isArray(slos)) {
    throw new Error(`config ${path} must be an array of SLOs or an object with "slos": [...]`);
  }
  if (metrics !== undefined && !Array.isArray(metrics)) {
    throw new Error(`config ${path}: "metrics" must be an array`);
  }
  for (const m of (metrics ?? []) as { name?: unknown; type?: MetricType }[]) {
    if (m?.type !== 'counter' && m?.type !== 'gauge' && m?.type !== 'histogram') {
      throw new Error(
        `config ${path}: metric ${JSON.stringify(m?.name)} needs a type: counter, gauge or histogram`,
      );
    }
    // The registry checks names, labels and bounds, and throws an obsweave: error.
    registry[m.type](m.name as string, m as object);
  }
  return { slos: slos as Slo[], registry };
}

/** Writes next to `path`, then renames: a reader never sees half a rule file. */
function writeWhole(path: string, text: string): void {
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, text);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw new Error(`cannot write ${path}: ${(e as Error).message}`, { cause: e });
  }
}
