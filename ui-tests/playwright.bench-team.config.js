/**
 * The team benchmark's panel run (benchmarks/bench_team.py): the panel
 * benchmark's configuration on a port of its own (XP_BENCH_PORT), so that it
 * can run while the browser tests hold 8888 and 8889 on the same machine.
 */
const benchConfig = require('./playwright.bench.config.js');

const port = process.env.XP_BENCH_PORT || '8890';

module.exports = {
  ...benchConfig,
  use: { ...benchConfig.use, baseURL: `http://localhost:${port}` },
  webServer: {
    ...benchConfig.webServer,
    command: `${benchConfig.webServer.command} --ServerApp.port=${port}`,
    url: `http://localhost:${port}/lab`
  }
};
