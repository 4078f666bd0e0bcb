import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Traffic } from '../../examples/demo/traffic';
import { startMediaWorker } from '../../examples/media-worker';
import { launchChromium, watchedPage } from '../support/chromium';
import { serialTestWithTools } from '../support/tools';

/**
 * The picture in the README: the dashboard of the media-worker under the demo's traffic, after
 * half a minute, so every sparkline has a shape. `OBSWEAVE_UPDATE_SCREENSHOT=1` writes it to
 * `docs/dashboard.png`; otherwise to a temporary file, so a test run leaves the tree clean.
 */
const OUT =
  process.env.OBSWEAVE_UPDATE_SCREENSHOT === '1'
    ? join(__dirname, '../../docs/dashboard.png')
    : join(tmpdir(), `obsweave-dashboard-${process.pid}.png`);
const REFRESHES = 15;

serialTestWithTools('chromium')('a screenshot of the dashboard under traffic', async (t) => {
  const app = await startMediaWorker({ concurrency: 6, sampleIntervalMs: 1000, seed: 7 });
  t.teardown(() => app.close());
  const traffic = new Traffic(app.url, { users: 6, thinkMs: 100 }).start();
  t.teardown(() => traffic.stop({ drain: false }));
  const browser = await launchChromium();
  t.teardown(() => browser.close());
  const w = await watchedPage(browser, { width: 1440, height: 900 });

  await w.page.goto(`${app.url}/metrics/ui`);
  const snapshots = () => w.requests.filter((r) => r.url === `${app.url}/metrics`).length;
  while (snapshots() < REFRESHES) await w.page.waitForTimeout(500);
  await w.page.waitForTimeout(300); // the last refresh's rendering
  // Sorted by route name, so the rows keep their order from run to run.
  await w.page.click('#routes th:first-child button');

  mkdirSync(join(OUT, '..'), { recursive: true });
  const png = await w.page.screenshot({ fullPage: true, animations: 'disabled' });
  writeFileSync(OUT, png);
  t.log(`screenshot: ${OUT}`);

  const file = readFileSync(OUT);
  t.is(file.subarray(1, 4).toString('latin1'), 'PNG');
  t.is(file.readUInt32BE(16), 1440, 'width');
  t.true(file.readUInt32BE(20) > 900, 'the whole page');
  t.true(file.length > 50_000, 'a picture with content');
  t.deepEqual(w.errors, []);
});
