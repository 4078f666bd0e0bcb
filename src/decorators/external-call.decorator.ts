import type { MetricsRegistry } from '../core/metrics-registry';
import type { BoundCounter, BoundHistogram } from '../core/types';
import { catalogOptions } from '../core/catalog';
import { cachedHandles } from './cached-handles';
import { nonEmptyString, optionsOf, registryOf, type RegistryOption } from './options';
import { callWithTimeout, type SignalMode } from './timeout';
import { isTimeoutError } from './timeout-error';
import type { Span } from '../tracing/tracer';
import type { SpanShape } from './probe';
import { runProbed } from './decorator-spans';
import { makeDecorator, type UniversalDecorator } from './make-decorator';
import type { Probe } from './probe';

const CALLS = 'external.calls_total';
const LATENCY = 'external.call_latency_ms';

export type ExternalCallOutcome = 'success' | 'error' | 'timeout';

/** Classifies a failure; `undefined` falls back to the default rule (timeouts, else error). */
export type Classify = (err: unknown) => ExternalCallOutcome | undefined;

export interface ExternalCallOptions extends RegistryOption {
  /** Operation label; default the method name. */
  op?: string;
  /** Deadline in ms: past it the call rejects with `TimeoutError` and its signal aborts. */
  timeoutMs?: number;
  /** Provider-specific outcomes, e.g. a 429 counted as `timeout` or a 404 as `success`. */
  classify?: Classify;
}

export interface WithExternalCallOptions extends ExternalCallOptions {
  service: string;
  op: string;
}

const OUTCOMES: readonly ExternalCallOutcome[] = ['success', 'error', 'timeout'];

interface Handles {
  readonly latency: BoundHistogram;
  readonly outcomes: Record<ExternalCallOutcome, BoundCounter>;
}

function handlesFor(registry: MetricsRegistry, service: string, op: string): Handles {
  return cachedHandles(registry, `external\u0000${service}\u0000${op}`, () => {
    const calls = registry.counter(CALLS, catalogOptions(CALLS));
    return {
      latency: registry.histogram(LATENCY, catalogOptions(LATENCY)).bind({ service, op }),
      outcomes: {
        success: calls.bind({ service, op, outcome: 'success' }),
        error: calls.bind({ service, op, outcome: 'error' }),
        timeout: calls.bind({ service, op, outcome: 'timeout' }),
      },
    };
  });
}

/** `external.calls_total{service,op,outcome}` and `external.call_latency_ms{service,op}`. */
class ExternalCallProbe implements Probe {
  private readonly h: Handles;
  // Made on the first span: `withExternalCall` builds a probe per call, spans or not.
  private shape: SpanShape | undefined = undefined;

  constructor(
    readonly registry: MetricsRegistry,
    private readonly service: string,
    private readonly op: string,
    private readonly classify: Classify | undefined,
  ) {
    this.h = handlesFor(registry, service, op);
  }

  span(): SpanShape {
    const { service, op } = this;
    return (this.shape ??= {
      name: `${service} ${op}`,
      attributes: { 'peer.service': service, 'obsweave.external.op': op },
    });
  }

  spanResult(span: Span, err: unknown, failed: boolean): void {
    span.setAttribute('obsweave.external.outcome', failed ? this.outcome(err) : 'success');
  }

  ok(ms: number): void {
    this.h.latency.observe(ms);
    this.h.outcomes.success.inc();
  }

  fail(ms: number, err: unknown): void {
    this.h.latency.observe(ms);
    this.h.outcomes[this.outcome(err)].inc();
  }

  private outcome(err: unknown): ExternalCallOutcome {
    if (this.classify !== undefined) {
      try {
        const o = this.classify(err);
        if (o !== undefined && OUTCOMES.includes(o)) return o;
        if (o !== undefined) {
          this.registry.warnOnce('external.classify', `classify() returned ${String(o)}; ignored`);
        }
      } catch {
        this.registry.warnOnce('external.classify', 'classify() threw; the default rule was used');
      }
    }
    return isTimeoutError(err) ? 'timeout' : 'error';
  }
}

/** The same under a deadline: `run` takes over the call, so it is not the fast path. */
class DeadlineProbe extends ExternalCallProbe {
  private readonly label: string;

  constructor(
    registry: MetricsRegistry,
    service: string,
    op: string,
    classify: Classify | undefined,
    private readonly ms: number,
    private readonly mode: SignalMode,
  ) {
    super(registry, service, op, classify);
    this.label = `${service}.${op}`;
  }

  run(_ctx: undefined, fn: Function, self: unknown, args: ArrayLike<unknown>): unknown {
    return callWithTimeout(fn, self, args, this.ms, this.label, this.mode);
  }
}

function probeFor(
  registry: MetricsRegistry,
  service: string,
  op: string,
  o: ExternalCallOptions,
  mode: SignalMode,
): ExternalCallProbe {
  return o.timeoutMs === undefined
    ? new ExternalCallProbe(registry, service, op, o.classify)
    : new DeadlineProbe(registry, service, op, o.classify, o.timeoutMs, mode);
}

function checkOptions(decorator: string, o: ExternalCallOptions): void {
  if (o.op !== undefined) nonEmptyString(decorator, 'op', o.op);
  const t = o.timeoutMs;
  if (t !== undefined && !(typeof t === 'number' && t > 0 && t <= 2147483647)) {
    throw new TypeError(`obsweave: ${decorator}: timeoutMs must be a positive number of ms`);
  }
  if (o.classify !== undefined && typeof o.classify !== 'function') {
    throw new TypeError(`obsweave: ${decorator}: classify must be a function`);
  }
}

/**
 * Times a call to a dependency (a provider client, storage, a CLI tool) and counts its outcome:
 * `success`, `error` or `timeout` (`TimeoutError`, `ETIMEDOUT`, `ESOCKETTIMEDOUT`, undici's
 * `UND_ERR_*_TIMEOUT`, the deadline of `timeoutMs`, or what `classify` says). `op` defaults to
 * the method name.
 *
 * @example
 * ```ts
 * class SpeechClient {
 *   @ExternalCall('asr', { op: 'transcribe', timeoutMs: 30_000 })
 *   async transcribe(audio: Buffer, opts: { signal?: AbortSignal } = {}) {
 *     return fetch(ASR_URL, { method: 'POST', body: audio, signal: opts.signal });
 *   }
 * }
 * // external.calls_total{service="asr",op="transcribe",outcome}, external.call_latency_ms{service,op}
 * ```
 */
export function ExternalCall(
  service: string,
  opOrOptions?: string | ExternalCallOptions,
): UniversalDecorator {
  const name = '@ExternalCall';
  nonEmptyString(name, 'service', service);
  const o: ExternalCallOptions =
    typeof opOrOptions === 'string' ? { op: opOrOptions } : optionsOf(name, opOrOptions);
  if (typeof opOrOptions === 'string') nonEmptyString(name, 'op', opOrOptions);
  checkOptions(name, o);
  const registry = registryOf(name, o);
  return makeDecorator({
    decorator: name,
    kind: 'external-call',
    probe: (site) => probeFor(registry, service, o.op ?? site.name, o, 'options'),
  });
}

/**
 * Runs `fn` as one external call. With `timeoutMs`, `fn` receives an `AbortSignal` that aborts
 * on the deadline: pass it on (`fetch(url, { signal })`) so the work itself stops too.
 *
 * @example
 * ```ts
 * const res = await withExternalCall({ service: 'storage', op: 'put', timeoutMs: 5000 }, (signal) =>
 *   fetch(url, { method: 'PUT', body, signal }),
 * );
 * ```
 */
export function withExternalCall<T>(
  opts: WithExternalCallOptions,
  fn: (signal?: AbortSignal) => T,
): T {
  const name = 'withExternalCall';
  const o = optionsOf(name, opts);
  nonEmptyString(name, 'service', o.service);
  nonEmptyString(name, 'op', o.op);
  checkOptions(name, o);
  if (typeof fn !== 'function') throw new TypeError(`obsweave: ${name}: fn must be a function`);
  return runProbed(
    probeFor(registryOf(name, o), o.service, o.op, o, 'argument'),
    fn,
    undefined,
  ) as T;
}
