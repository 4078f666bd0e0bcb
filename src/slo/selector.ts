import { checkRegex } from './regex';

/** A PromQL label matcher; `value` is kept as written, quotes and escapes included. */
export interface Matcher {
  readonly label: string;
  readonly op: '=' | '!=' | '=~' | '!~';
  readonly value: string;
}

/** An obsweave metric name with label matchers: `external.calls_total{outcome!="success"}`. */
export interface Selector {
  readonly metric: string;
  readonly matchers: readonly Matcher[];
}

const NAME = /[a-zA-Z_:][a-zA-Z0-9_:.]*/y;
const LABEL = /[a-zA-Z_][a-zA-Z0-9_]*/y;
const OP = /=~|!~|!=|=/y;
/** PromQL's whitespace between tokens. */
const SPACE = /[ \t\r\n]*/y;

/** A reader of one selector, as PromQL's lexer reads it. */
class Reader {
  at = 0;
  constructor(readonly text: string) {}

  space(): void {
    SPACE.lastIndex = this.at;
    SPACE.exec(this.text);
    this.at = SPACE.lastIndex;
  }

  token(re: RegExp): string | undefined {
    re.lastIndex = this.at;
    const m = re.exec(this.text);
    if (m === null) return undefined;
    this.at = re.lastIndex;
    return m[0];
  }

  eat(ch: string): boolean {
    if (this.text[this.at] !== ch) return false;
    this.at++;
    return true;
  }

  done(): boolean {
    return this.at >= this.text.length;
  }

  rest(): string {
    return JSON.stringify(this.text.slice(this.at));
  }
}

/** The selector in `text`, or why it is not one. */
export function parseSelector(text: unknown): Selector | string {
  if (typeof text !== 'string') return `a selector must be a string, got ${JSON.stringify(text)}`;
  const r = new Reader(text);
  r.space();
  const metric = r.token(NAME);
  if (metric === undefined) {
    return `${JSON.stringify(text)} is not a metric name with optional {matchers}`;
  }
  r.space();
  let matchers: Matcher[] = [];
  if (r.eat('{')) {
    const m = readMatchers(r, '}');
    if (typeof m === 'string') return m;
    matchers = m;
    r.space();
  }
  if (!r.done()) return `${JSON.stringify(text)}: unexpected ${r.rest()} after the selector`;
  return { metric, matchers };
}

/** Comma-separated matchers, braces optional (`route!="/metrics"`), or why they are not. */
export function parseMatchers(text: unknown): Matcher[] | string {
  if (typeof text !== 'string') return `matchers must be a string, got ${JSON.stringify(text)}`;
  const r = new Reader(text);
  r.space();
  const braced = r.eat('{');
  const m = readMatchers(r, braced ? '}' : undefined);
  if (typeof m === 'string') return m;
  r.space();
  if (!r.done()) return `unexpected ${r.rest()} after the matchers`;
  return m;
}

function readMatchers(r: Reader, close: string | undefined): Matcher[] | string {
  const out: Matcher[] = [];
  for (;;) {
    r.space();
    if (close === undefined ? r.done() : r.eat(close)) return out;
    const label = r.token(LABEL);
    r.space();
    const op = r.token(OP) as Matcher['op'] | undefined;
    r.space();
    if (label === undefined || op === undefined || r.text[r.at] !== '"') {
      return `cannot read label matchers at ${r.rest()}: use label="value", !=, =~ or !~`;
    }
    const start = r.at;
    const value = readString(r);
    if (typeof value !== 'string') return `${label}${op}: ${value.error}`;
    if (op === '=~' || op === '!~') {
      const why = checkRegex(value);
      if (why !== undefined) return `${label}${op}: ${why}`;
    }
    out.push({ label, op, value: r.text.slice(start, r.at) });
    r.space();
    if (r.eat(',')) continue;
    r.space();
    if (close === undefined ? r.done() : r.eat(close)) return out;
    return `cannot read label matchers at ${r.rest()}: separate them with ","`;
  }
}

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  '\\': '\\',
  '"': '"',
};
/** After a backslash: how many digits, in which base, up to what value (PromQL's lexer). */
const NUMERIC_ESCAPES: Readonly<Record<string, [digits: number, base: number, max: number]>> = {
  x: [2, 16, 0x7f],
  u: [4, 16, 0x10ffff],
  U: [8, 16, 0x10ffff],
};
const DIGITS: Readonly<Record<number, RegExp>> = { 8: /^[0-7]+$/, 16: /^[0-9a-fA-F]+$/ };

/**
 * A double-quoted PromQL string at `r`, decoded, as PromQL's lexer reads it: Go's escapes,
 * no raw newline. A byte escape above 0x7f is refused: alone it is not UTF-8.
 */
function readString(r: Reader): string | { error: string } {
  const { text } = r;
  let out = '';
  for (let i = r.at + 1; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      r.at = i + 1;
      return out;
    }
    if (c === '\n') return { error: 'a raw newline cannot be in a quoted value (write \\n)' };
    if (c !== '\\') {
      out += c;
      continue;
    }
    const e = text[++i];
    if (e !== undefined && e in SIMPLE_ESCAPES) {
      out += SIMPLE_ESCAPES[e];
      continue;
    }
    const octal = e !== undefined && e >= '0' && e <= '7';
    const spec = octal ? ([3, 8, 0x7f] as const) : NUMERIC_ESCAPES[e ?? ''];
    if (spec === undefined) {
      return { error: `unknown escape sequence "\\${e ?? ''}" in a quoted value` };
    }
    const [n, base, max] = spec;
    const digits = octal ? text.slice(i, i + n) : text.slice(i + 1, i + 1 + n);
    const code = parseInt(digits, base);
    if (digits.length !== n || !DIGITS[base].test(digits)) {
      return { error: `escape "\\${octal ? digits : e + digits}" needs ${n} digits` };
    }
    if (code > max || (code >= 0xd800 && code < 0xe000)) {
      return { error: `escape "\\${octal ? digits : e + digits}" is not a valid character` };
    }
    out += String.fromCodePoint(code);
    i += octal ? n - 1 : n;
  }
  return { error: 'a quoted value is not closed' };
}

/** `a="x",b!="y"`, without braces. */
export function formatMatchers(matchers: readonly Matcher[]): string {
  return matchers.map((m) => `${m.label}${m.op}${m.value}`).join(',');
}

/** A matcher's value, unquoted. */
export function matcherValue(m: Matcher): string {
  const r = new Reader(m.value);
  const v = readString(r);
  return typeof v === 'string' ? v : '';
}
