// ava's settings for npm test (and test:unit). Files run in worker threads, three at a time
// instead of one per core: on two cores, the end-to-end files that mostly wait (for a scrape, a
// page refresh, an alert, a minute of the demo) would otherwise hold a core each while idle.
// The longest start first or are spread over the run, so that no two of them wait side by side,
// the pack's compilers do not starve the SLO alerts' service, and the run does not end with one
// of them alone: each file is ordered as if named `order`.
const PLACE = {
  'test/e2e/slo-alerts.e2e.test.ts': '0',
  'test/slo/promtool.e2e.test.ts': 'test/core',
  'test/package/pack.e2e.test.ts': 'test/e',
  'test/ui/dashboard.e2e.test.ts': 'test/push',
};
const order = (file) => {
  const at = Object.keys(PLACE).find((f) => file.endsWith(f));
  return at === undefined ? file.slice(file.lastIndexOf('test/')) : PLACE[at];
};

export default {
  extensions: { ts: 'commonjs' },
  require: ['./test/support/ts-register.js'],
  files: ['test/**/*.test.ts'],
  timeout: '120s',
  concurrency: 3,
  sortTestFiles: (a, b) => order(a).localeCompare(order(b)),
};
