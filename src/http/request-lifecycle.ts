import { subscribe } from 'node:diagnostics_channel';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { REQUEST_STATE, type CorrelatedState } from '../context/request-correlation';
import { ABORTED, type HttpOutcome } from '../core/http-recorder';

/** Told once per tracked request how it ended. */
export interface RequestSink {
  complete(req: IncomingMessage, state: RequestState, outcome: HttpOutcome): void;
}

/** Makes a request's correlation id when it is first asked for (`http/correlate.ts`). */
export interface CorrelationMaker {
  make(state: RequestState): string;
}

/** What is kept per request: one small object on the request itself, no closure. */
export class RequestState implements CorrelatedState {
  /** Set once the request was recorded, so a finish and a close never both count. */
  done = false;
  /** A route template known up front (a framework's router); else resolved at the end. */
  route: string | undefined = undefined;
  /** The correlation id once known: the one the request brought, or one made on first need. */
  correlationId: string | undefined = undefined;
  /** Set while correlation is on and no id is known yet: makes it when first asked for. */
  maker: CorrelationMaker | undefined = undefined;
  /** Where the maker echoes the id it makes. */
  echoTo: ServerResponse | undefined = undefined;

  constructor(
    readonly sink: RequestSink,
    /** `performance.now()` when the request reached the middleware. */
    readonly start: number,
    /** The URL as it arrived, before any router rewrote `req.url`. */
    readonly url: string,
  ) {}

  /**
   * The request is over: its response is let go, and `true` is returned the first time, when it
   * is to be recorded (a request never measured was done from the start, and is let go all the
   * same). An id made later can no longer be echoed anyway, and the state can outlive the
   * request by far: the async context keeps it wherever that context was captured.
   */
  end(): boolean {
    this.echoTo = undefined;
    if (this.done) return false;
    this.done = true;
    return true;
  }

  /** Read by `correlationId(req)`, the async context and the decorators, in every mode. */
  correlate(): string | undefined {
    const id = this.correlationId;
    return id !== undefined || this.maker === undefined ? id : this.maker.make(this);
  }
}

// Symbols, not a WeakMap: a property load is the cheapest per-request lookup there is. The
// state's key is the context layer's, which reads a request's correlation id from it.
const STATE = REQUEST_STATE;
const INFLIGHT = Symbol('obsweave.http.inflight');

type TrackedRequest = IncomingMessage & { [STATE]?: RequestState };
/** `undefined`: no close listener yet; `null`: listening, nothing in flight. */
type TrackedSocket = Socket & { [INFLIGHT]?: TrackedRequest | TrackedRequest[] | null };

let subscribed = false;

/**
 * Starts tracking `req`: it is recorded exactly once, when Node publishes its response's
 * finish on `http.server.response.finish` (one subscriber for the process, no listener per
 * request) or when its socket closes first (one `close` listener per connection, which
 * knows the request in flight on it). A request already tracked keeps its first state.
 */
export function trackRequest(req: IncomingMessage, state: RequestState): boolean {
  const r = req as TrackedRequest;
  if (r[STATE] !== undefined) return false;
  if (!subscribed) {
    subscribe('http.server.response.finish', onResponseFinish);
    subscribed = true;
  }
  r[STATE] = state;
  const socket = req.socket as TrackedSocket | null;
  if (socket == null) return true;
  const inflight = socket[INFLIGHT];
  if (inflight === undefined) socket.once('close', onSocketClose);
  if (inflight == null) socket[INFLIGHT] = r;
  else if (Array.isArray(inflight)) inflight.push(r);
  else socket[INFLIGHT] = [inflight, r]; // pipelined requests: rare, so only then an array
  return true;
}

/** The state `req` was given, if any. */
export function requestState(req: IncomingMessage): RequestState | undefined {
  return (req as TrackedRequest)[STATE];
}

/**
 * Gives `req` a state that is never recorded: a request whose URL is not measured still gets
 * its correlation id. A request that has one keeps it.
 */
export function untrackedState(req: IncomingMessage, sink: RequestSink, url: string): RequestState {
  const r = req as TrackedRequest;
  let state = r[STATE];
  if (state === undefined) {
    state = new RequestState(sink, 0, url);
    state.done = true;
    r[STATE] = state;
  }
  return state;
}

/**
 * Stops tracking `req` without recording it: for an endpoint that learns only once routed that
 * its own requests are not to be measured (the metrics endpoint under a prefix).
 */
export function untrackRequest(req: IncomingMessage): void {
  const state = (req as TrackedRequest)[STATE];
  if (state === undefined || state.done) return;
  state.done = true;
  release(req as TrackedRequest);
}

function onResponseFinish(message: unknown): void {
  const { request, response } = message as { request: TrackedRequest; response: ServerResponse };
  const state = request[STATE];
  if (state === undefined || !state.end()) return;
  release(request);
  complete(request, state, response.statusCode);
}

function onSocketClose(this: TrackedSocket): void {
  const inflight = this[INFLIGHT];
  this[INFLIGHT] = null;
  if (inflight == null) return;
  if (Array.isArray(inflight)) for (const r of inflight) abort(r);
  else abort(inflight);
}

function abort(req: TrackedRequest): void {
  const state = req[STATE];
  if (state === undefined || !state.end()) return;
  complete(req, state, ABORTED);
}

function release(req: TrackedRequest): void {
  const socket = req.socket as TrackedSocket | null;
  if (socket == null) return;
  const inflight = socket[INFLIGHT];
  if (inflight === req) socket[INFLIGHT] = null;
  else if (Array.isArray(inflight)) {
    const i = inflight.indexOf(req);
    if (i >= 0) inflight.splice(i, 1);
    if (inflight.length === 0) socket[INFLIGHT] = null;
  }
}

/** Runs inside Node's own event dispatch: nothing may escape from here. */
function complete(req: TrackedRequest, state: RequestState, outcome: HttpOutcome): void {
  try {
    state.sink.complete(req, state, outcome);
  } catch {}
}
