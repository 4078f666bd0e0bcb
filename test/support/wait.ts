/** Polls until `check` holds: a server records on its own schedule after the client is done. */
export async function eventually(
  check: () => boolean,
  what = 'condition',
  ms = 5000,
): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Resolves after pending immediates and microtasks have run. */
export function tick(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
