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

/** `obsweave.dropped_total{reason}` as the snapshot shows it. */
export function dropped(registry: MetricsRegistry, reason: string): number {
  return registry.snapshot().counters[`obsweave.dropped_total|reason=${reason}`];
}

/** Log lines that mention `needle`. */
export function logsAbout(logs: readonly string[], needle: string): string[] {
  return logs.filter((l) => l.includes(needle));
}
