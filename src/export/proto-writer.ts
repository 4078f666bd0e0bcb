/**
 * The few protobuf wire primitives the Prometheus exposition needs, written straight into one
 * growing buffer. A nested message reserves one byte for its length and moves its body only in
 * the rare case the length needs more (128 bytes or longer).
 */
export class ProtoWriter {
  private buf: Buffer;
  pos = 0;

  constructor(size = 65536) {
    this.buf = Buffer.allocUnsafe(size);
  }

  /** What was written; the writer must not be used after. */
  finish(): Buffer {
    return this.buf.subarray(0, this.pos);
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  /** An unsigned varint of up to 2^53. */
  varint(v: number): void {
    this.ensure(10);
    const b = this.buf;
    let p = this.pos;
    while (v > 0x7fffffff) {
      b[p++] = (v % 128) | 0x80;
      v = Math.floor(v / 128);
    }
    while (v > 0x7f) {
      b[p++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    b[p++] = v;
    this.pos = p;
  }

  /** A signed integer as zigzag (`sint32`, `sint64`), exact up to ±2^52. */
  zigzag(v: number): void {
    this.varint(v >= 0 ? v * 2 : -v * 2 - 1);
  }

  tag(field: number, wire: 0 | 1 | 2): void {
    this.varint((field << 3) | wire);
  }

  uint(field: number, v: number): void {
    this.tag(field, 0);
    this.varint(v);
  }

  sint(field: number, v: number): void {
    this.tag(field, 0);
    this.zigzag(v);
  }

  double(field: number, v: number): void {
    this.tag(field, 1);
    this.ensure(8);
    this.buf.writeDoubleLE(v, this.pos);
    this.pos += 8;
  }

  string(field: number, s: string): void {
    this.tag(field, 2);
    const n = s.length;
    this.ensure(n * 3 + 5);
    const b = this.buf;
    const start = this.pos;
    // Names and most label values are short ASCII: copied byte by byte, no call out.
    if (n < 128) {
      let p = start + 1;
      let i = 0;
      for (; i < n; i++) {
        const c = s.charCodeAt(i);
        if (c > 0x7f) break;
        b[p++] = c;
      }
      if (i === n) {
        b[start] = n;
        this.pos = p;
        return;
      }
    }
    const len = Buffer.byteLength(s);
    this.pos = start;
    this.varint(len);
    this.pos += this.buf.write(s, this.pos, 'utf8');
  }

  /** Starts a length-delimited part (a field's message, or a bare delimited one); returns its mark. */
  begin(field?: number): number {
    if (field !== undefined) this.tag(field, 2);
    this.ensure(1);
    return this.pos++;
  }

  /** Ends the part begun at `mark`: its length written before it. */
  end(mark: number): void {
    const len = this.pos - mark - 1;
    if (len < 128) {
      this.buf[mark] = len;
      return;
    }
    let size = 1;
    for (let v = len; v > 0x7f; v = Math.floor(v / 128)) size++;
    this.ensure(size - 1);
    this.buf.copyWithin(mark + size, mark + 1, this.pos);
    const end = this.pos + size - 1;
    this.pos = mark;
    this.varint(len);
    this.pos = end;
  }
}
