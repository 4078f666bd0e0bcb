import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';

/** One file of the page, read once, with the validator a browser revalidates against. */
export interface DashboardAsset {
  readonly body: string;
  readonly contentType: string;
  readonly etag: string;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/** Beside this module: `src/ui/assets` when run from source, `dist/ui/assets` once built. */
const ASSET_DIR = join(__dirname, 'assets');

let loaded: ReadonlyMap<string, DashboardAsset> | undefined;

/**
 * The page's files by name, read from disk on the first request for the page (a service that
 * never opens it never reads them) and kept: they are the package's own, a few tens of KiB.
 * Only plain names with a known extension are served, so a URL cannot name another file.
 */
export function dashboardAssets(): ReadonlyMap<string, DashboardAsset> {
  if (loaded !== undefined) return loaded;
  const assets = new Map<string, DashboardAsset>();
  for (const name of readdirSync(ASSET_DIR)) {
    const contentType = CONTENT_TYPES[extname(name)];
    if (contentType === undefined || !/^[a-z0-9-]+\.[a-z]+$/.test(name)) continue;
    const body = readFileSync(join(ASSET_DIR, name), 'utf8');
    const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`;
    assets.set(name, { body, contentType, etag });
  }
  loaded = assets;
  return assets;
}
