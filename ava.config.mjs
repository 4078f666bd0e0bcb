// ava's settings for npm test (and test:unit). Files run in worker threads, five at a time: on
// two cores, two or three keep the CPU busy while the end-to-end files that mostly wait (for a
// scrape, a page refresh, an alert, a minute of the demo) hold the other places. Those start
// first, so that the run does not end with one of them alone.
const FIRST = [
  'test/e2e/slo-alerts.e2e.test.ts',
  'test/examples/demo.e2e.test.ts',
  'test/ui/dashboard.e2e.test.ts',
  'test/package/pack.e2e.test.ts',
  'test/slo/promtool.e2e.test.ts',
];
const rank = (file) => {
  const i = FIRST.findIndex((f) => file.endsWith(f));
  return i < 0 ? FIRST.length : i;
};

export default {
  extensions: { ts: 'commonjs' },
  require: ['./test/support/ts-register.js'],
  files: ['test/**/*.test.ts'],
  timeout: '120s',
  concurrency: 5,
  sortTestFiles: (a, b) => rank(a) - rank(b) || a.localeCompare(b),
};
