/**
 * Decorator overhead: a bare method, the same under `@Stage`, and a hand-written wrapper doing
 * what `@Stage` does (two clock reads and a bound `observe`), sync and async. A second
 * `@Stage` copy gives the A/A figure: how far two identical cases drift apart on this machine.
 */
import { performance } from 'node:perf_hooks';
import { MetricsRegistry } from '../src';
import type { BoundHistogram } from '../src/core/types';
import { Stage } from '../src';
import { bench, benchAsync, report, type CaseResult } from './harness';

type Target = ReturnType<typeof report>[number];

function handWrapSync(fn: (x: number) => number, h: BoundHistogram) {
  return function (this: unknown, x: number): number {
    const t0 = performance.now();
    try {
      return fn.call(this, x);
    } finally {
      h.observe(performance.now() - t0);
    }
  };
}

function handWrapAsync(fn: (x: number) => Promise<number>, h: BoundHistogram) {
  return async function (this: unknown, x: number): Promise<number> {
    const t0 = performance.now();
    try {
      return await fn.call(this, x);
    } finally {
      h.observe(performance.now() - t0);
    }
  };
}

function subjects(registry: MetricsRegistry) {
  const latency = registry.histogram('worker.stage_latency_ms', { labelNames: ['stage'] });
  class Bare {
    work(x: number): number {
      return x + 1;
    }
    async load(x: number): Promise<number> {
      return x + 1;
    }
  }
  class Staged {
    @Stage('sync', { registry })
    work(x: number): number {
      return x + 1;
    }
    @Stage('async', { registry })
    async load(x: number): Promise<number> {
      return x + 1;
    }
  }
  class StagedAgain {
    @Stage('sync_aa', { registry })
    work(x: number): number {
      return x + 1;
    }
    @Stage('async_aa', { registry })
    async load(x: number): Promise<number> {
      return x + 1;
    }
  }
  class Hand {
    work = handWrapSync(Bare.prototype.work, latency.bind({ stage: 'hand_sync' }));
    load = handWrapAsync(Bare.prototype.load, latency.bind({ stage: 'hand_async' }));
  }
  return { bare: new Bare(), staged: new Staged(), again: new StagedAgain(), hand: new Hand() };
}

let sink = 0;

/** A ratio printed for context (the A/A noise figure, the cost over a bare call), no target. */
function context(results: readonly CaseResult[], of: string, to: string): void {
  const ns = (name: string) => results.find((r) => r.name === name)?.ns ?? NaN;
  console.log(`  ${`${of} / ${to}`.padEnd(60)} ${(ns(of) / ns(to)).toFixed(3)}x  (context)`);
}

export async function runDecoratorBench(): Promise<Target[]> {
  const s = subjects(new MetricsRegistry());
  const sync = bench(
    [
      {
        name: 'bare sync method',
        run: (n) => {
          for (let i = 0; i < n; i++) sink += s.bare.work(i);
        },
      },
      {
        name: '@Stage sync',
        run: (n) => {
          for (let i = 0; i < n; i++) sink += s.staged.work(i);
        },
      },
      {
        name: 'hand-written wrapper sync',
        run: (n) => {
          for (let i = 0; i < n; i++) sink += s.hand.work(i);
        },
      },
      {
        name: '@Stage sync (A/A copy)',
        run: (n) => {
          for (let i = 0; i < n; i++) sink += s.again.work(i);
        },
      },
    ],
    { rounds: 11, ops: 500_000, warmupRounds: 3 },
  );
  const out = report('Decorator overhead, sync (median of 11 interleaved rounds)', sync, [
    { of: '@Stage sync', to: 'hand-written wrapper sync', max: 1.25 },
  ]);
  context(sync, '@Stage sync (A/A copy)', '@Stage sync');
  context(sync, '@Stage sync', 'bare sync method');
  const asyncResults = await benchAsync(
    [
      {
        name: 'bare async method',
        run: async (n) => {
          for (let i = 0; i < n; i++) sink += await s.bare.load(i);
        },
      },
      {
        name: '@Stage async',
        run: async (n) => {
          for (let i = 0; i < n; i++) sink += await s.staged.load(i);
        },
      },
      {
        name: 'hand-written wrapper async',
        run: async (n) => {
          for (let i = 0; i < n; i++) sink += await s.hand.load(i);
        },
      },
      {
        name: '@Stage async (A/A copy)',
        run: async (n) => {
          for (let i = 0; i < n; i++) sink += await s.again.load(i);
        },
      },
    ],
    { rounds: 11, ops: 100_000, warmupRounds: 3 },
  );
  out.push(
    ...report('Decorator overhead, async (median of 11 interleaved rounds)', asyncResults, [
      { of: '@Stage async', to: 'hand-written wrapper async', max: 1.25 },
    ]),
  );
  context(asyncResults, '@Stage async (A/A copy)', '@Stage async');
  context(asyncResults, '@Stage async', 'bare async method');
  if (sink === -1) console.log(sink);
  return out;
}

if (require.main === module) void runDecoratorBench();
