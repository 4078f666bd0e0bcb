/**
 * The dashboard's entry point: finds the endpoint the page sits under, asks for a token when
 * the endpoint needs one, then fetches the JSON snapshot every refresh and renders it.
 *
 * The token is kept in sessionStorage (this tab only, gone when it closes) and sent in the
 * `Authorization` header, never in a URL.
 */
import { buildModel, keyReader } from './model.js';
import { SnapshotHistory } from './history.js';
import { DashboardView } from './view.js';

const TOKEN_KEY = 'obsweave.dashboard.token';
/** The page sits at `<path>/ui`; the snapshot is `<path>`. */
const endpoint = location.pathname.replace(/\/ui\/?$/, '') || '/';
const configUrl = `${endpoint.replace(/\/$/, '')}/ui/config.json`;

class Unauthorized extends Error {}

/** @param {string} url */
async function getJson(url) {
  const token = sessionStorage.getItem(TOKEN_KEY);
  /** @type {Record<string, string>} */
  const headers = { accept: 'application/json' };
  if (token !== null) headers.authorization = `Bearer ${token}`;
  const res = await fetch(url, {
    headers,
    cache: 'no-store',
    credentials: 'same-origin',
    redirect: 'error',
    signal: AbortSignal.timeout(10_000),
  });
  if (res.status === 401) throw new Unauthorized();
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  return res.json();
}

/** @param {string} id */
function byId(id) {
  return /** @type {HTMLElement} */ (document.getElementById(id));
}

/**
 * @param {string} text
 * @param {'live' | 'wait' | 'error'} state
 */
function status(text, state) {
  const el = byId('status');
  el.textContent = text;
  el.dataset.state = state;
}

function askForToken(/** @type {boolean} */ rejected) {
  sessionStorage.removeItem(TOKEN_KEY);
  byId('content').hidden = true;
  byId('empty-panel').hidden = true;
  byId('token-panel').hidden = false;
  const error = byId('token-error');
  error.hidden = !rejected;
  error.textContent = rejected ? 'That token was not accepted. Try again.' : '';
  status('Token needed', 'wait');
  /** @type {HTMLInputElement} */ (byId('token')).focus();
}

byId('token-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const input = /** @type {HTMLInputElement} */ (byId('token'));
  const token = input.value.trim();
  if (token === '') return;
  sessionStorage.setItem(TOKEN_KEY, token);
  input.value = '';
  byId('token-panel').hidden = true;
  void start();
});

/** @type {ReturnType<typeof setTimeout> | undefined} */
let timer;
/** @type {DashboardView | undefined} */
let dashboardView;

async function start() {
  clearTimeout(timer);
  status('Connecting…', 'wait');
  let config;
  try {
    config = await getJson(configUrl);
  } catch (err) {
    if (err instanceof Unauthorized) return askForToken(sessionStorage.getItem(TOKEN_KEY) !== null);
    status(
      `Cannot load the dashboard's settings (${/** @type {Error} */ (err).message}); retrying`,
      'error',
    );
    timer = setTimeout(start, 5000);
    return;
  }
  const refreshMs = Math.min(2000, Math.max(250, Number(config.refreshMs) || 2000));
  const read = keyReader(config.labels ?? {});
  const history = new SnapshotHistory();
  const view = (dashboardView ??= new DashboardView());
  const windowSelect = /** @type {HTMLSelectElement} */ (byId('window'));
  const render = () => {
    const cur = history.latest();
    const base = history.base(Number(windowSelect.value));
    if (cur === undefined || base === undefined) return;
    view.render(
      buildModel(cur, base, {
        read,
        slos: config.slos ?? [],
        heldOpen: config.heldOpen ?? undefined,
        window: Number(windowSelect.value),
      }),
    );
  };
  windowSelect.onchange = render;

  const tick = async () => {
    const started = Date.now();
    // A hidden tab asks for nothing: the service pays only while someone looks.
    if (!document.hidden) {
      try {
        if (history.add(await getJson(endpoint))) render();
        status(`Live · every ${refreshMs / 1000} s`, 'live');
      } catch (err) {
        if (err instanceof Unauthorized) return askForToken(true);
        status(
          `Cannot reach ${endpoint} (${/** @type {Error} */ (err).message}); retrying`,
          'error',
        );
      }
    }
    timer = setTimeout(tick, Math.max(0, refreshMs - (Date.now() - started)));
  };
  await tick();
}
byId('service').textContent = location.host;
void start();
