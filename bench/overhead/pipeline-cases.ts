import { performance } from 'node:perf_hooks';
import { ExternalCall, MetricsRegistry, Stage } from '../../src';
import type { AsyncCase } from '../harness';

/** Every stage and provider call does about this much work of its own, on the CPU. */
const BODY_US = 50;

let sink = 0;

function spin(iterations: number): void {
  let x = sink | 1;
  for (let i = 0; i < iterations; i++) x = (x ^ (x << 13) ^ (x >>> 7)) | 0;
  sink = x;
}

/**
 * A fixed amount of work rather than a spin until `performance.now()` has moved on 50 µs: a
 * spin on the clock stretches to the end of any time slice the machine gives to another
 * process meanwhile, which on a busy shared machine drowns a 1 % difference. Calibrated on
 * the fastest of a few tries, i.e. when nothing else ran.
 */
function calibrate(): number {
  const probe = 200_000;
  let best = Infinity;
  for (let k = 0; k < 20; k++) {
    const t0 = performance.now();
    spin(probe);
    best = Math.min(best, performance.now() - t0);
  }
  return Math.round((probe * BODY_US) / (best * 1000));
}

const ITERATIONS = calibrate();

function work(): void {
  spin(ITERATIONS);
}

/** Provider clients and the stage class, made fresh so each variant has its own classes. */
function pipelineClasses() {
  class StorageClient {
    async get(id: number): Promise<number> {
      work();
      return id;
    }
    async put(id: number): Promise<number> {
      work();
      return id;
    }
  }
  class TranscriptionClient {
    async transcribe(id: number): Promise<number> {
      work();
      return id;
    }
  }
  class MediaStages {
    constructor(
      private readonly storage: StorageClient,
      private readonly asr: TranscriptionClient,
    ) {}
    async download(id: number): Promise<number> {
      work();
      return this.storage.get(id);
    }
    async probe(id: number): Promise<number> {
      work();
      return id;
    }
    async transcribe(id: number): Promise<number> {
      work();
      return this.asr.transcribe(id);
    }
    async upload(id: number): Promise<number> {
      work();
      return this.storage.put(id);
    }
  }
  return { StorageClient, TranscriptionClient, MediaStages };
}

type Stages = InstanceType<ReturnType<typeof pipelineClasses>['MediaStages']>;

/** Seven calls of ~50 µs per job: four stages, three of which call a provider. */
async function runJob(s: Stages, id: number): Promise<void> {
  await s.download(id);
  await s.probe(id);
  await s.transcribe(id);
  await s.upload(id);
}

export const CALLS_PER_JOB = 7;
export const PIPELINE_CASE_NAMES = {
  bare: 'bare pipeline',
  copy: 'bare pipeline, a second copy (A/A)',
  woven: '@Stage + @ExternalCall',
};

function pipeline(woven: boolean): Stages {
  const { StorageClient, TranscriptionClient, MediaStages } = pipelineClasses();
  if (woven) {
    // Class form: every method of each class, named after the method, as a service would write
    // `@Stage()` over the stage class and `@ExternalCall('storage')` over the client.
    const registry = new MetricsRegistry();
    Stage(undefined, { registry })(MediaStages);
    ExternalCall('storage', { registry })(StorageClient);
    ExternalCall('asr', { registry })(TranscriptionClient);
  }
  return new MediaStages(new StorageClient(), new TranscriptionClient());
}

export function pipelineCases(): AsyncCase[] {
  const make = (name: string, s: Stages): AsyncCase => ({
    name,
    run: async (n) => {
      for (let i = 0; i < n; i++) await runJob(s, i);
    },
  });
  // The copy shows the noise floor: what two identical pipelines differ by in the same run.
  return [
    make(PIPELINE_CASE_NAMES.bare, pipeline(false)),
    make(PIPELINE_CASE_NAMES.copy, pipeline(false)),
    make(PIPELINE_CASE_NAMES.woven, pipeline(true)),
  ];
}
