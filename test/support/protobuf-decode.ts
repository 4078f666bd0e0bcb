/**
 * A protobuf wire-format reader for tests, written from the encoding spec and independent of
 * the exporter: every field as a list of raw values (numbers for varints and doubles, byte
 * ranges for length-delimited parts), which `messages` reads on as nested messages.
 */
export type Fields = Map<number, (number | bigint | Buffer)[]>;

function varint(b: Buffer, p: { i: number }): bigint {
  let out = 0n;
  let shift = 0n;
  for (;;) {
    const byte = b[p.i++];
    out |= BigInt(byte & 0x7f) << shift;
    if ((byte & 0x80) === 0) return out;
    shift += 7n;
  }
}

export function decode(b: Buffer): Fields {
  const out: Fields = new Map();
  const p = { i: 0 };
  while (p.i < b.length) {
    const key = Number(varint(b, p));
    const field = key >>> 3;
    const wire = key & 7;
    let v: number | bigint | Buffer;
    if (wire === 0) v = varint(b, p);
    else if (wire === 1) {
      v = b.readDoubleLE(p.i);
      p.i += 8;
    } else if (wire === 2) {
      const len = Number(varint(b, p));
      v = b.subarray(p.i, p.i + len);
      p.i += len;
    } else throw new Error(`wire type ${wire} not expected`);
    if (!out.has(field)) out.set(field, []);
    out.get(field)!.push(v);
  }
  return out;
}

/** Length-delimited messages one after another, as the `encoding=delimited` exposition. */
export function delimited(b: Buffer): Fields[] {
  const out: Fields[] = [];
  const p = { i: 0 };
  while (p.i < b.length) {
    const len = Number(varint(b, p));
    out.push(decode(b.subarray(p.i, p.i + len)));
    p.i += len;
  }
  return out;
}

export const str = (f: Fields, n: number): string | undefined =>
  (f.get(n)?.[0] as Buffer | undefined)?.toString('utf8');
export const num = (f: Fields, n: number): number | undefined => {
  const v = f.get(n)?.[0];
  return v === undefined ? undefined : Number(v);
};
export const msgs = (f: Fields, n: number): Fields[] =>
  (f.get(n) ?? []).map((v) => decode(v as Buffer));
export const zigzag = (v: bigint): number => Number(v & 1n ? -(v >> 1n) - 1n : v >> 1n);

/** A repeated zigzag varint field, packed or not (both are valid protobuf), decoded. */
export function packedSint(f: Fields, n: number): number[] {
  const out: number[] = [];
  for (const part of f.get(n) ?? []) {
    if (typeof part === 'bigint') {
      out.push(zigzag(part));
      continue;
    }
    const b = part as Buffer;
    const p = { i: 0 };
    while (p.i < b.length) out.push(zigzag(varint(b, p)));
  }
  return out;
}

/** Label pairs of a Metric (field 1) or Exemplar as an object. */
export function labels(f: Fields): Record<string, string> {
  return Object.fromEntries(msgs(f, 1).map((l) => [str(l, 1)!, str(l, 2) ?? '']));
}
