/**
 * Builds a pass's result from its input and the spans it replaces, left to right. Nothing is
 * built until the first replacement, so a pass that finds nothing returns its input as is.
 */
export class Rewriter {
  private out = '';
  private copied = 0;
  private edited = false;

  constructor(private readonly s: string) {}

  /** Replaces `[start, end)` with `by`; spans come in order and do not overlap. */
  replace(start: number, end: number, by: string): void {
    this.out += this.s.slice(this.copied, start) + by;
    this.copied = end;
    this.edited = true;
  }

  result(): string {
    return this.edited ? this.out + this.s.slice(this.copied) : this.s;
  }
}
