import type { Gauge } from '../core/types';
import type { Probe } from './probe-scheduler';
import { processGauge, type ProbeContext } from './probe-context';

interface ProcessInternals {
  _getActiveHandles?: () => unknown[];
  _getActiveRequests?: () => unknown[];
  getActiveResourcesInfo?: () => string[];
}

/**
 * `nodejs_active_handles{type}`, `nodejs_active_requests{type}` and (where Node has
 * `process.getActiveResourcesInfo`) `nodejs_active_resources{type}`, as prom-client counts
 * them. prom-client's `*_total` gauges are not kept: `promtool` rejects a gauge named `_total`,
 * and `sum without (type) (…)` gives the same figure (see the README).
 *
 * A type seen once keeps its series at 0 when none is active, where prom-client drops it:
 * obsweave's series live as long as the registry.
 */
export function handleProbes(ctx: ProbeContext): Probe[] {
  const p = process as unknown as ProcessInternals;
  const probes: Probe[] = [];
  const handles = p._getActiveHandles;
  if (typeof handles === 'function') {
    const g = processGauge(
      ctx,
      'nodejs_active_handles',
      'Number of active libuv handles grouped by handle type. Every handle type is C++ class name.',
      ['type'],
    );
    probes.push(byType('active-handles', g, () => handles.call(process).map(constructorName)));
  }
  const requests = p._getActiveRequests;
  if (typeof requests === 'function') {
    const g = processGauge(
      ctx,
      'nodejs_active_requests',
      'Number of active libuv requests grouped by request type. Every request type is C++ class name.',
      ['type'],
    );
    probes.push(byType('active-requests', g, () => requests.call(process).map(constructorName)));
  }
  const resources = p.getActiveResourcesInfo;
  if (typeof resources === 'function') {
    const g = processGauge(
      ctx,
      'nodejs_active_resources',
      'Number of active resources that are currently keeping the event loop alive, grouped by async resource type.',
      ['type'],
    );
    probes.push(byType('active-resources', g, () => resources.call(process)));
  }
  return probes;
}

function constructorName(o: unknown): string | undefined {
  // prom-client skips what has no constructor; so does the count.
  return (o as { constructor?: { name?: string } } | null)?.constructor?.name;
}

function byType(name: string, gauge: Gauge, list: () => readonly (string | undefined)[]): Probe {
  const seen = new Map<string, { set(v: number): void }>();
  const counts = new Map<string, number>();
  return {
    name,
    run() {
      counts.clear();
      for (const type of list())
        if (type !== undefined) counts.set(type, (counts.get(type) ?? 0) + 1);
      for (const [type, g] of seen) if (!counts.has(type)) g.set(0);
      for (const [type, n] of counts) {
        let g = seen.get(type);
        if (g === undefined) seen.set(type, (g = gauge.bind({ type })));
        g.set(n);
      }
    },
  };
}
