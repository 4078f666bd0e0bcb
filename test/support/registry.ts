import { MetricsRegistry, type RegistryOptions } from '../../src';

/** A registry whose logger writes into `logs`, so tests can count what was reported. */
export function newRegistry(opts: Omit<RegistryOptions, 'logger'> = {}): {
  registry: MetricsRegistry;
  logs: string[];
} {
  const logs: string[] = [];
  const registry = new MetricsRegistry({ ...opts, logger: (msg) => logs.push(msg) });
  return { registry, logs };
}

/** A registry of its own that logs nothing: for tests that provoke problems on purpose. */
export function quietRegistry(): MetricsRegistry {
  return new MetricsRegistry({ logger: () => {} });
}

/** `obsweave.dropped_total{reason}` as the snapshot shows it. */
export function dropped(registry: MetricsRegistry, reason: string): number {
  return registry.snapshot().counters[`obsweave.dropped_total|reason=${reason}`];
}

/** Log lines that mention `needle`. */
export function logsAbout(logs: readonly string[], needle: string): string[] {
  return logs.filter((l) => l.includes(needle));
}

/** One counter series by its snapshot key; 0 when it does not exist. */
export function counter(registry: MetricsRegistry, key: string): number {
  return registry.snapshot().counters[key] ?? 0;
}

/** The observation count of one histogram series; 0 when it does not exist. */
export function histCount(registry: MetricsRegistry, key: string): number {
  return registry.snapshot().histograms[key]?.count ?? 0;
}

/** The sum of the counter series whose key starts with `prefix` and passes `filter`. */
export function total(
  registry: MetricsRegistry,
  prefix: string,
  filter: (key: string) => boolean = () => true,
): number {
  let n = 0;
  for (const [k, v] of Object.entries(registry.snapshot().counters))
    if (k.startsWith(prefix) && filter(k)) n += v;
  return n;
}
