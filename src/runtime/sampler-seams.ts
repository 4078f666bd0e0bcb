import type { StatsFs } from 'node:fs';

/**
 * Internal hooks of `ResourceSampler`, keyed by a symbol that the package does not export, so
 * that tests can stand in for what cannot be produced here (a `statfs` on a dead network mount
 * never answers) without a public option that users could come to rely on.
 */
export const SAMPLER_SEAMS: unique symbol = Symbol('obsweave.resource-sampler.seams');

export interface SamplerSeams {
  /** Replaces `fs.promises.statfs` for the scratch folder. */
  statfs?: (dir: string) => Promise<Pick<StatsFs, 'blocks' | 'bfree' | 'bavail'>>;
  /** Called with a probe's name after each of its runs settled. */
  onSettled?: (probe: string) => void;
}
