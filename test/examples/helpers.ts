import type { Snapshot } from 'obsweave';

/** The app's own JSON snapshot, through its metrics endpoint. */
export async function scrape(baseUrl: string): Promise<Snapshot> {
  const res = await fetch(`${baseUrl}/metrics`);
  if (res.status !== 200) throw new Error(`GET /metrics answered ${res.status}`);
  return (await res.json()) as Snapshot;
}

/** Counter values by series key, in the snapshot's own key format. */
export function counters(snap: Snapshot, keys: string[]): Record<string, number> {
  return Object.fromEntries(keys.map((k) => [k, snap.counters[k] ?? 0]));
}

export async function post(url: string, body: unknown, headers: Record<string, string> = {}) {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}
