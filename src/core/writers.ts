import type { DefaultLabels, FamilyView } from './family-view';
import type { Snapshot } from './types';

/**
 * The three formats a registry exports, written in `src/export/` from the registry's families.
 * Core never imports that layer: `src/export/writers.ts` installs them here when it loads, as a
 * tracer adapter installs its trace source in `exemplars.ts`, and every entry point loads it.
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

/** The installed writers. Missing only when a module loaded the registry without any entry point. */
export function writers(): Writers {
  if (installed === undefined) {
    throw new Error(
      'obsweave: no export writers are loaded; import the package (src/index.ts), not only src/core',
    );
  }
  return installed;
}
