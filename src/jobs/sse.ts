import type { ServerResponse } from 'node:http';
import { metrics, type MetricsRegistry } from '../core/metrics-registry';
import type { BoundGauge, Counter } from '../core/types';

export interface SseOptions {
  /** Default: the process-wide `metrics`. */
  registry?: MetricsRegistry;
  /** The `stream` label: which feed this is (`jobs`, `logs`). Default `default`. */
  stream?: string;
}

/** What `instrumentSse` returns: the only way events should be written to the response. */
export interface SseStream {
  /**
   * Writes `event: <event>` and `data: <JSON of data>`, then a blank line, and counts it.
   * Returns false when nothing was written: the stream has ended, or `data` cannot be turned
   * into JSON (a cycle, a BigInt), which is counted as dropped. It does NOT report
   * backpressure; read `res.writableNeedDrain` for that.
   */
  send(event: string, data?: unknown): boolean;
  /** Ends the response (if still open). Idempotent. */
  close(): void;
}

export const SSE_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'Content-Type': 'text/event-stream; charset=utf-8',
  'Cache-Control': 'no-cache, no-transform',
  Connection: 'keep-alive',
  // nginx buffers proxied responses by default, which would hold events back
  'X-Accel-Buffering': 'no',
});

const CLIENTS = 'sse.clients';
const EVENTS = 'sse.events_total';

/**
 * Instruments one server-sent-events response: `sse.clients{stream}` counts it while it is
 * open, `sse.events_total{stream,event}` counts each event sent through the result.
 *
 * The gauge goes down exactly once, however the stream ends: `close()`, the server ending
 * the response, the client disconnecting, or an error. Unless headers were already sent, sets
 * the SSE headers the caller has not set and flushes them. Adds an `error` listener to `res`,
 * so a broken connection is counted here instead of crashing the process unhandled.
 *
 * Pitfall: events written with `res.write` directly are neither formatted nor counted.
 */
export function instrumentSse(res: ServerResponse, opts: SseOptions = {}): SseStream {
  const registry = opts.registry ?? metrics;
  const stream = typeof opts.stream === 'string' && opts.stream !== '' ? opts.stream : 'default';
  const clients: BoundGauge = registry
    .gauge(CLIENTS, { help: 'Open server-sent-events streams', labelNames: ['stream'] })
    .bind({ stream });
  const events: Counter = registry.counter(EVENTS, {
    help: 'Server-sent events written, by stream and event name',
    labelNames: ['stream', 'event'],
  });

  let open = !(res.writableEnded || res.destroyed);
  const end = (): void => {
    if (!open) return;
    open = false;
    clients.dec();
  };
  if (open) {
    clients.inc();
    res.once('close', end);
    res.once('finish', end);
    res.on('error', end);
    if (!res.headersSent) {
      for (const [k, v] of Object.entries(SSE_HEADERS)) {
        if (!res.hasHeader(k)) res.setHeader(k, v);
      }
      res.flushHeaders();
    }
  }

  return {
    send(event: string, data?: unknown): boolean {
      if (!open || res.writableEnded || res.destroyed) return false;
      const name = eventName(event);
      let json: string | undefined;
      try {
        json = JSON.stringify(data);
      } catch (e) {
        registry.drop(
          'invalid_value',
          EVENTS,
          `event data cannot be JSON (${errName(e)}); not sent`,
        );
        return false;
      }
      try {
        res.write(`event: ${name}\ndata: ${json ?? 'null'}\n\n`);
      } catch {
        end();
        return false;
      }
      events.inc(1, { stream, event: name });
      return true;
    },
    close(): void {
      if (!res.writableEnded) {
        try {
          res.end();
        } catch {
          // the socket is already gone; the gauge is what matters here
        }
      }
      end();
    },
  };
}

/** A line break in the name would start a new field: the client would read another event. */
function eventName(event: unknown): string {
  const s = typeof event === 'string' ? event.replace(/[\r\n]+/g, ' ').trim() : '';
  return s === '' ? 'message' : s;
}

function errName(e: unknown): string {
  return e instanceof Error ? e.name : typeof e;
}
