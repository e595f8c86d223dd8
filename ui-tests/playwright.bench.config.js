/**
 * The panel benchmark (run by benchmarks/bench_panel.py through `make bench`, not by
 * `make test`): the browser tests' configuration, pointed at ./bench.
 */
const testConfig = require('./playwright.config.js');

module.exports = {
  ...testConfig,
  testDir: './bench',
  testMatch: '*.bench.ts',
  // One server (the benchmark's store), no projects of the browser tests.
  projects: undefined,
  webServer: testConfig.webServer[0],
  retries: 0
};
