import test, { type ExecutionContext } from 'ava';
import { lastValueFrom, Observable } from 'rxjs';
import { MetricsRegistry } from '../../src';
import * as api from '../../src';
import type { Api, Decorator } from '../fixtures/standard/api';
import type * as ChecklistFixture from '../fixtures/standard/checklist.fixture';
import { RecordingTracer } from '../tracing/recording-tracer';
import { DIALECTS, fixture, type Dialect } from './helpers';
import { tick } from '../support/wait';

export interface Env {
  registry: MetricsRegistry;
  tracer: RecordingTracer;
}

/** What a decorator under test recorded for one method of the checklist class. */
export interface Recorder {
  /** Calls recorded, successes and failures. */
  total(method: string): number;
  /** Failures recorded; absent when the decorator does not tell them apart. */
  failed?(method: string): number;
}

export interface Subject {
  title: string;
  decorate(api: Api, env: Env): (method: string) => Decorator;
  recorder(env: Env): Recorder;
}

async function caught(p: unknown): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected a rejection');
}

type Item = (
  t: ExecutionContext,
  c: InstanceType<ChecklistFixture.ChecklistClass>,
  r: Recorder,
  f: typeof ChecklistFixture,
) => unknown;

/** The checklist every decorator passes, in both dialects. */
const ITEMS: Record<string, Item> = {
  'metadata stored below and above the decorator is kept': (t, c, _r, f) => {
    const proto = Object.getPrototypeOf(c);
    t.is(Reflect.getMetadata(f.BELOW, proto.sync), 'below');
    t.is(Reflect.getMetadata(f.ABOVE, proto.sync), 'above');
  },
  'name and length are kept': (t, c) => {
    const proto = Object.getPrototypeOf(c);
    t.is(proto.sync.name, 'sync');
    t.is(proto.sync.length, 2);
    t.is(proto.async.length, 1);
    t.is(proto.generator.name, 'generator');
  },
  'sync: this, arguments and return value pass through': (t, c, r) => {
    const b = {};
    const out = c.sync(3, b);
    t.is(out.self, c);
    t.is(out.b, b);
    t.is(out.value, 6);
    t.is(r.total('sync'), 1);
    if (r.failed) t.is(r.failed('sync'), 0);
  },
  'async: the same value, recorded when it settles': async (t, c, r) => {
    const v = {};
    const p = c.async(v);
    t.true(p instanceof Promise);
    t.is(r.total('async'), 0);
    t.is(await p, v);
    t.is(r.total('async'), 1);
    if (r.failed) t.is(r.failed('async'), 0);
  },
  'sync throw: the same object is rethrown, strings and undefined too': (t, c, r) => {
    const e = new Error('boom');
    t.is(
      t.throws(() => c.throws(e)),
      e,
    );
    let thrown: unknown = 'none';
    try {
      c.throws('plain string');
    } catch (x) {
      thrown = x;
    }
    t.is(thrown, 'plain string');
    try {
      c.throws(undefined);
    } catch (x) {
      thrown = x;
    }
    t.is(thrown, undefined);
    t.is(r.total('throws'), 3);
    if (r.failed) t.is(r.failed('throws'), 3);
  },
  'rejection: the same reason, an Error, a string or undefined': async (t, c, r) => {
    const e = new TypeError('bad');
    t.is(await caught(c.rejects(e)), e);
    t.is(await caught(c.rejects('nope')), 'nope');
    t.is(await caught(c.rejects(undefined)), undefined);
    t.is(r.total('rejects'), 3);
    if (r.failed) t.is(r.failed('rejects'), 3);
  },
  'a thenable that is not a Promise is timed until it settles': async (t, c, r) => {
    const v = { v: 1 };
    const out = c.thenable(v);
    t.is(r.total('thenable'), 0);
    t.is(await out, v);
    t.is(r.total('thenable'), 1);
    const e = new Error('late');
    t.is(await caught(c.thenable(e, true)), e);
    t.is(r.total('thenable'), 2);
    if (r.failed) t.is(r.failed('thenable'), 1);
  },
  'an Observable is timed from subscription to complete or error': async (t, c, r) => {
    const o = c.observable([1, 2]);
    t.true(o instanceof Observable);
    await tick();
    t.is(r.total('observable'), 0, 'nothing recorded before subscription');
    t.is(await lastValueFrom(o), 2);
    t.is(r.total('observable'), 1);
    const e = new Error('stream');
    t.is(await caught(lastValueFrom(c.observable([1], e))), e);
    t.is(r.total('observable'), 2);
    if (r.failed) t.is(r.failed('observable'), 1);
  },
  'a returned generator passes through untouched, timed as sync': (t, c, r) => {
    const g = c.generator(3);
    t.is(Object.prototype.toString.call(g), '[object Generator]');
    t.is(r.total('generator'), 1);
    t.deepEqual([...g], [0, 1, 2]);
    t.is(r.total('generator'), 1);
  },
};

const checklist = test.macro({
  async exec(t, dialect: Dialect, subject: Subject, item: string) {
    const env: Env = {
      registry: new MetricsRegistry({ logger: () => {} }),
      tracer: new RecordingTracer(),
    };
    const f = fixture<typeof ChecklistFixture>(dialect, 'checklist.fixture');
    const Checklist = f.checklistClass(subject.decorate(api as unknown as Api, env));
    await ITEMS[item](t, new Checklist(), subject.recorder(env), f);
  },
  title: (_provided, dialect: Dialect, subject: Subject, item: string) =>
    `${subject.title} [${dialect}]: ${item}`,
});

/** Registers the whole checklist for `subject` in both dialects. */
export function runChecklist(subject: Subject): void {
  for (const dialect of DIALECTS)
    for (const item of Object.keys(ITEMS)) test(checklist, dialect, subject, item);
}
