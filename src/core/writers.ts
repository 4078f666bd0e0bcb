import type { DefaultLabels, FamilyView } from './family-view';
import type { Snapshot } from './types';

/**
 * The three formats a registry exports, written in `src/export/` from the registry's families.
 * Every exporter (the registry, the metrics endpoint, the cluster's primary) reaches them through
 * `writers()` and nothing else.
 */
export interface Writers {
  json(families: readonly FamilyView[], labels: DefaultLabels): Snapshot;
  prometheus(families: readonly FamilyView[], labels: DefaultLabels): string;
  openmetrics(families: readonly FamilyView[], labels: DefaultLabels): string;
}

let installed: Writers | undefined;

export function installWriters(w: Writers): void {
  installed = w;
}

/**
 * The writers `src/export/writers.ts` installed. Core never imports that layer statically (it
 * builds on core's families); the first export loads it when nothing has yet, so a registry
 * reached by any path writes the same text instead of failing.
 */
export function writers(): Writers {
  // The one way up the layers, taken once, at run time: export/writers only installs itself.
  // eslint-disable-next-line import-x/no-restricted-paths
  if (installed === undefined) require('../export/writers');
  return installed as Writers;
}
