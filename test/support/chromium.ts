import type { Browser, BrowserContext, Page, Request } from 'playwright-core';
import { findTool } from './tools';

/**
 * Debian's Chromium, driven by playwright-core (which never downloads a browser here), with
 * everything that would reach beyond the machine switched off.
 */
const ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export async function launchChromium(): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  const executablePath = findTool('chromium');
  if (executablePath === undefined) throw new Error('chromium is not installed');
  return chromium.launch({ executablePath, headless: true, args: ARGS });
}

/** A request the page made, as the browser sent it. */
export interface SeenRequest {
  url: string;
  method: string;
  headers: Record<string, string>;
}

/** A page that records every request it makes and every error it reports. */
export interface WatchedPage {
  context: BrowserContext;
  page: Page;
  requests: SeenRequest[];
  errors: string[];
}

export async function watchedPage(
  browser: Browser,
  opts: { width?: number; height?: number } = {},
): Promise<WatchedPage> {
  const context = await browser.newContext({
    viewport: { width: opts.width ?? 1440, height: opts.height ?? 1000 },
    deviceScaleFactor: 1,
    colorScheme: 'light',
    locale: 'en-US',
    timezoneId: 'UTC',
  });
  const page = await context.newPage();
  const requests: SeenRequest[] = [];
  const errors: string[] = [];
  page.on('request', (r: Request) => {
    requests.push({ url: r.url(), method: r.method(), headers: r.headers() });
  });
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  return { context, page, requests, errors };
}
