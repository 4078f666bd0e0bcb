import { createServer, type RequestListener, type Server } from 'node:http';
import { Duplex } from 'node:stream';

/**
 * One keep-alive connection to a real `http.Server`, with no network under it: the server gets
 * an in-memory Duplex through its `connection` event, so requests go through Node's own parser,
 * `IncomingMessage`, `ServerResponse` and the `http.server.*` diagnostics channels, and the
 * measurement holds no kernel, loopback or second process, whose noise dwarfs a microsecond.
 *
 * Requests are sent one at a time, as a keep-alive client does: the next one is pushed after
 * the previous response's finish ran, so no case meets Node's pipelining queue.
 */
export class MemoryConnection {
  private readonly server: Server;
  private readonly socket: MemorySocket;

  constructor(handler: RequestListener, request: string) {
    this.server = createServer({ keepAliveTimeout: 0 }, handler);
    this.socket = new MemorySocket(Buffer.from(request, 'latin1'));
    this.server.emit('connection', this.socket);
  }

  /** Sends `n` requests one after the other; resolves once the last response has finished. */
  run(n: number): Promise<void> {
    return this.socket.run(n);
  }
}

class MemorySocket extends Duplex {
  // What `http.Server` reads off a net.Socket.
  remoteAddress = '127.0.0.1';
  remotePort = 40000;
  localAddress = '127.0.0.1';
  localPort = 80;
  encrypted = false;

  private remaining = 0;
  private done: (() => void) | undefined;

  constructor(private readonly request: Buffer) {
    super({ allowHalfOpen: true });
  }

  run(n: number): Promise<void> {
    this.remaining = n;
    return new Promise((resolve) => {
      this.done = resolve;
      this.push(this.request);
    });
  }

  setTimeout(): this {
    return this;
  }
  setNoDelay(): this {
    return this;
  }
  setKeepAlive(): this {
    return this;
  }

  override _read(): void {}

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    cb();
    this.responded(chunk);
  }

  override _writev(chunks: { chunk: Buffer }[], cb: (err?: Error | null) => void): void {
    cb();
    for (const c of chunks) this.responded(c.chunk);
  }

  /**
   * Every response of the bench handlers is written in one chunk (headers and a short body
   * together) beginning with the status line. The next request is pushed on a later tick than
   * the write callback that ends the response, so that its `finish` (and with it the
   * diagnostics channel that obsweave listens to) runs first, as it does on a real socket.
   */
  private responded(chunk: Buffer): void {
    if (chunk.length < 5 || chunk[0] !== 0x48 /* H */ || chunk[4] !== 0x2f /* / */) return;
    if (--this.remaining > 0) process.nextTick(pushNext, this);
    else setImmediate(finished, this);
  }

  static next(s: MemorySocket): void {
    s.push(s.request);
  }

  static finish(s: MemorySocket): void {
    const d = s.done;
    s.done = undefined;
    d?.();
  }
}

function pushNext(s: MemorySocket): void {
  MemorySocket.next(s);
}

function finished(s: MemorySocket): void {
  MemorySocket.finish(s);
}
