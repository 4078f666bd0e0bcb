'use strict';
/**
 * After `c8 ava`: the coverage totals on one line. The table by file is long and is kept in
 * coverage/coverage.txt, so that a run's output ends with the tests' own totals.
 */
const { readFileSync } = require('node:fs');
const { join } = require('node:path');

const dir = join(__dirname, '..', '..', 'coverage');
const { total } = JSON.parse(readFileSync(join(dir, 'coverage-summary.json'), 'utf8'));
const parts = ['lines', 'statements', 'branches', 'functions'].map((k) => `${k} ${total[k].pct}%`);
console.log(`coverage: ${parts.join(', ')} (by file: coverage/coverage.txt)`);
