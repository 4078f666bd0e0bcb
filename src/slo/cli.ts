import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { MetricsRegistry } from '../core/metrics-registry';
import { describeError } from '../core/describe';
import { redact } from '../redact/redact';
import type { MetricType } from '../core/types';
import { DEFAULT_SLOS } from './default-slos';
import { scrapedSource, type MetricSource } from './scrape';
import { parseSelector } from './selector';
import { isLatencySli, type Slo } from './slo';
import { sloTests } from './tests';
import { SloConfigError } from './validate';
import { sloRulesYaml } from './yaml';

const COMMON = `The config is a JSON array of SLOs, or { "slos": [...], "metrics": [{ "name", "type",
"labelNames", "buckets" }] } to declare metrics beyond obsweave's catalog (default: obsweave's
DEFAULT_SLOS). --scope job,namespace names the labels that tell services apart, for the SLOs
that name none (default job; "" judges every target together). --from reads the running app's metrics endpoint, and checks every SLI against
the metrics it exports: their labels and histogram bounds. Without it, histograms not declared
in the config are assumed to have the default buckets. The file is written only when every
SLO is valid; otherwise each problem is one line on stderr, and the exit code 1.`;

export const SLO_RULES_USAGE = `Usage: obsweave slo-rules [--config slos.json] [--from URL] [--scope job] [--out rules.yml] [--window-scale 1]

Writes Prometheus recording and alerting rules for the SLOs to --out, or to stdout.
${COMMON}`;

export const SLO_TESTS_USAGE = `Usage: obsweave slo-tests [--config slos.json] [--from URL] [--scope job] [--rules slo-rules.yml] [--out slo-tests.yml]

Writes promtool unit tests of the rules slo-rules writes for the same SLOs (loaded from
--rules, default slo-rules.yml) to --out, or to stdout: run them with
\`promtool test rules slo-tests.yml\`.
${COMMON}`;

export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
}

interface Config {
  slos: Slo[];
  registry: MetricsRegistry;
}

type Values = Record<string, string | boolean | undefined>;

/** `obsweave slo-rules ...`: the exit code; every problem is one clear line on stderr. */
export function sloRulesCli(argv: readonly string[], io: CliIo): Promise<number> {
  return command(
    'slo-rules',
    SLO_RULES_USAGE,
    { 'window-scale': { type: 'string' } },
    argv,
    io,
    (v, slos, registry) => {
      const scale = v['window-scale'] as string | undefined;
      const windowScale = scale === undefined ? undefined : Number(scale);
      if (windowScale !== undefined && (scale!.trim() === '' || Number.isNaN(windowScale))) {
        throw new Error(`--window-scale must be a number, got "${scale}"`);
      }
      return sloRulesYaml(slos, { registry, windowScale, scope: scopeOf(v) });
    },
  );
}

/** `obsweave slo-tests ...`: as `slo-rules`, for the promtool tests of the rules. */
export function sloTestsCli(argv: readonly string[], io: CliIo): Promise<number> {
  return command(
    'slo-tests',
    SLO_TESTS_USAGE,
    { rules: { type: 'string' } },
    argv,
    io,
    (v, slos, registry) =>
      sloTests(slos, {
        registry,
        scope: scopeOf(v),
        rulesFile: (v.rules as string | undefined) ?? 'slo-rules.yml',
      }),
  );
}

async function command(
  name: string,
  usage: string,
  extra: Record<string, { type: 'string' }>,
  argv: readonly string[],
  io: CliIo,
  write: (values: Values, slos: Slo[], registry: MetricSource) => string,
): Promise<number> {
  let values: Values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        config: { type: 'string', short: 'c' },
        out: { type: 'string', short: 'o' },
        from: { type: 'string' },
        scope: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        ...extra,
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (e) {
    io.stderr(`obsweave ${name}: ${(e as Error).message}\n\n${usage}\n`);
    return 2;
  }
  if (values.help === true) {
    io.stdout(`${usage}\n`);
    return 0;
  }
  const say = (line: string) => io.stderr(`obsweave ${name}: ${line.replace(/^obsweave: /, '')}\n`);
  try {
    const config = values.config as string | undefined;
    const { slos, registry } =
      config === undefined
        ? { slos: [...DEFAULT_SLOS], registry: new MetricsRegistry() }
        : readConfig(config);
    const from = values.from as string | undefined;
    const source = from === undefined ? registry : await fromApp(from, registry, slos, say);
    const text = write(values, slos, source);
    if (from === undefined) assumedBuckets(slos, registry, say);
    const out = values.out as string | undefined;
    if (out === undefined) io.stdout(text);
    else writeWhole(out, text);
    return 0;
  } catch (e) {
    if (e instanceof SloConfigError) for (const p of e.problems) say(p);
    else say((e as Error).message);
    return 1;
  }
}

/** `--scope a,b` as a list; `--scope ""` is none. */
function scopeOf(v: Values): string[] | undefined {
  const scope = v.scope as string | undefined;
  if (scope === undefined) return undefined;
  return scope
    .split(',')
    .map((l) => l.trim())
    .filter((l) => l !== '');
}

/** The names of the metrics an SLO's SLI reads, as written. */
function sliMetrics(slo: Slo): string[] {
  const sli = slo?.sli as Slo['sli'] | undefined;
  if (sli === undefined || sli === null || typeof sli !== 'object') return [];
  if (isLatencySli(sli)) return typeof sli.latency?.metric === 'string' ? [sli.latency.metric] : [];
  return [sli.errors, sli.total]
    .map((s) => parseSelector(s))
    .flatMap((s) => (typeof s === 'string' ? [] : [s.metric]));
}

/** Says which latency SLIs are checked against the default buckets rather than the app's. */
function assumedBuckets(
  slos: readonly Slo[],
  registry: MetricsRegistry,
  say: (line: string) => void,
) {
  const assumed = new Set(
    slos.filter((s) => s?.sli !== undefined && isLatencySli(s.sli)).flatMap(sliMetrics),
  );
  for (const m of assumed) {
    if (registry.definition(m) === undefined) {
      say(
        `"${m}" is assumed to have the default buckets; --from <metrics URL> checks the app's own`,
      );
    }
  }
}

/** The app's metrics, read from its endpoint; the config's and the catalog's fill the gaps. */
async function fromApp(
  url: string,
  registry: MetricsRegistry,
  slos: readonly Slo[],
  say: (line: string) => void,
): Promise<MetricSource> {
  let text: string;
  try {
    const res = await fetch(url, { headers: { accept: 'text/plain; version=0.0.4' } });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    text = await res.text();
  } catch (e) {
    // fetch names the URL in its own messages, userinfo included: the whole line is redacted.
    throw new Error(redact(`cannot read --from ${url}: ${describeError(e)}`), { cause: e });
  }
  const scraped = scrapedSource(text, registry);
  for (const m of new Set(slos.flatMap(sliMetrics))) {
    if (scraped.definition(m) === undefined) {
      say(
        `"${m}" is not exported by ${redact(url)} (yet): its definition comes from the config or the catalog`,
      );
    }
  }
  return { definition: (name) => scraped.definition(name) ?? registry.definition(name) };
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

/** Writes next to `path`, then renames: a reader never sees half a file. */
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
