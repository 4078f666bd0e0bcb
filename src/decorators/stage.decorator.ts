import type { MetricsRegistry } from '../core/metrics-registry';
import type { BoundHistogram, Counter } from '../core/types';
import { catalogOptions } from '../core/catalog';
import { cachedHandles } from './cached-handles';
import { codeCapFor, type CodeCap } from './err-code';
import { nonEmptyString, optionsOf, registryOf, type RegistryOption } from './options';
import type { SpanShape } from './probe';
import { runProbed } from './decorator-spans';
import { makeDecorator, type UniversalDecorator } from './make-decorator';
import type { Probe } from './probe';

const LATENCY = 'worker.stage_latency_ms';
const FAILURES = 'worker.stage_failures_total';

export type StageOptions = RegistryOption;

interface Handles {
  readonly latency: BoundHistogram;
  readonly failures: Counter;
  readonly codes: CodeCap;
}

/**
 * `worker.stage_latency_ms{stage}` for every call, `worker.stage_failures_total{stage,code}`
 * for failures. The latency child is bound once; failures, rare, look their code up.
 */
class StageProbe implements Probe {
  private readonly latency: BoundHistogram;
  private readonly h: Handles;
  // Made on the first span: `withStage` builds a probe per call, spans or not.
  private shape: SpanShape | undefined = undefined;

  constructor(
    readonly registry: MetricsRegistry,
    private readonly stage: string,
  ) {
    this.h = cachedHandles(registry, `stage\u0000${stage}`, () => ({
      latency: registry.histogram(LATENCY, catalogOptions(LATENCY)).bind({ stage }),
      failures: registry.counter(FAILURES, catalogOptions(FAILURES)),
      codes: codeCapFor(registry, FAILURES, stage),
    }));
    this.latency = this.h.latency;
  }

  span(): SpanShape {
    const stage = this.stage;
    return (this.shape ??= { name: `stage ${stage}`, attributes: { 'obsweave.stage': stage } });
  }

  ok(ms: number): void {
    this.latency.observe(ms);
  }

  fail(ms: number, err: unknown): void {
    this.latency.observe(ms);
    this.h.failures.inc(1, { stage: this.stage, code: this.h.codes.label(err) });
  }
}

/**
 * Times a worker stage; `stage` defaults to the method name. On a class: every method.
 *
 * @example
 * ```ts
 * class Transcriber {
 *   @Stage('transcribe')
 *   async run(job: Job): Promise<Transcript> { ... }
 * }
 * // worker.stage_latency_ms{stage="transcribe"}, worker.stage_failures_total{stage,code}
 * ```
 */
export function Stage(stage?: string, opts?: StageOptions): UniversalDecorator {
  const name = '@Stage';
  if (stage !== undefined) nonEmptyString(name, 'the stage name', stage);
  const registry = registryOf(name, optionsOf(name, opts));
  return makeDecorator({
    decorator: name,
    kind: 'stage',
    probe: (site) => new StageProbe(registry, stage ?? site.name),
  });
}

/**
 * Runs `fn` now as stage `stage` and returns what it returns (a Promise stays a Promise).
 *
 * @example
 * ```ts
 * const probe = await withStage('probe', () => ffprobe(file));
 * ```
 */
export function withStage<T>(stage: string, fn: () => T, opts?: StageOptions): T {
  const name = 'withStage';
  nonEmptyString(name, 'the stage name', stage);
  if (typeof fn !== 'function') throw new TypeError(`obsweave: ${name}: fn must be a function`);
  return runProbed(
    new StageProbe(registryOf(name, optionsOf(name, opts)), stage),
    fn,
    undefined,
  ) as T;
}
