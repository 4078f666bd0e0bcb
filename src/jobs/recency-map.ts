interface Entry<V> {
  readonly key: string;
  value: V;
  older: Entry<V> | undefined;
  newer: Entry<V> | undefined;
}

/**
 * A map that knows its least recently set entry in O(1). A plain `Map` keeps insertion order,
 * but reaching its first live entry after many deletes walks over every deleted slot until
 * the next rehash, which made eviction cost grow with the table: hence the explicit list.
 */
export class RecencyMap<V> {
  private readonly byKey = new Map<string, Entry<V>>();
  private oldest: Entry<V> | undefined;
  private newest: Entry<V> | undefined;

  get size(): number {
    return this.byKey.size;
  }

  get(key: string): V | undefined {
    return this.byKey.get(key)?.value;
  }

  has(key: string): boolean {
    return this.byKey.has(key);
  }

  /** Sets the value and makes the entry the most recent one. */
  set(key: string, value: V): void {
    let e = this.byKey.get(key);
    if (e === undefined) {
      e = { key, value, older: undefined, newer: undefined };
      this.byKey.set(key, e);
    } else {
      e.value = value;
      this.unlink(e);
    }
    this.append(e);
  }

  /** Changes the value without changing the entry's place. */
  update(key: string, value: V): void {
    const e = this.byKey.get(key);
    if (e !== undefined) e.value = value;
  }

  delete(key: string): void {
    const e = this.byKey.get(key);
    if (e === undefined) return;
    this.byKey.delete(key);
    this.unlink(e);
  }

  /** Removes and returns the least recently set entry. */
  shift(): [string, V] | undefined {
    const e = this.oldest;
    if (e === undefined) return undefined;
    this.byKey.delete(e.key);
    this.unlink(e);
    return [e.key, e.value];
  }

  clear(): void {
    this.byKey.clear();
    this.oldest = this.newest = undefined;
  }

  private append(e: Entry<V>): void {
    e.older = this.newest;
    e.newer = undefined;
    if (this.newest !== undefined) this.newest.newer = e;
    else this.oldest = e;
    this.newest = e;
  }

  private unlink(e: Entry<V>): void {
    if (e.older !== undefined) e.older.newer = e.newer;
    else this.oldest = e.newer;
    if (e.newer !== undefined) e.newer.older = e.older;
    else this.newest = e.older;
    e.older = e.newer = undefined;
  }
}
