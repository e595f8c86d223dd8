/**
 * Playwright configuration for the jupyterlab-xp browser tests.
 *
 * Galata's base configuration, run against the system Chromium: Playwright
 * cannot download its own browsers on the build machines.
 */
const fs = require('fs');
const os = require('os');
const path = require('path');

const baseConfig = require('@jupyterlab/galata/lib/playwright-config');

// The test servers' warnings and errors, for failure-summary.js (set once: workers load
// this file again and inherit it).
if (!process.env.XP_UI_SERVER_LOG) {
  process.env.XP_UI_SERVER_LOG = path.join(
    os.tmpdir(),
    `xp-ui-server-${process.pid}.log`
  );
  fs.writeFileSync(process.env.XP_UI_SERVER_LOG, '');
}

const jupyter = process.env.JUPYTER || '../.venv/bin/jupyter';
const EMPTY = 'http://localhost:8889';

module.exports = {
  ...baseConfig,
  reporter: [['list'], ['./failure-summary.js']],
  workers: 1,
  use: {
    ...baseConfig.use,
    video: 'off',
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync'
      ]
    }
  },
  // The empty-store test needs a store no other test has recorded into: it gets a
  // server of its own (its own fresh XP_HOME, port 8889), so that it does not depend on
  // the order the spec files run in.
  projects: [
    {
      name: 'empty-store',
      testMatch: 'panel.spec.ts',
      use: { baseURL: EMPTY }
    },
    { name: 'lab', testIgnore: 'panel.spec.ts' }
  ],
  webServer: [
    {
      command: `${jupyter} lab --config jupyter_server_test_config.py`,
      url: 'http://localhost:8888/lab',
      timeout: 120 * 1000,
      reuseExistingServer: false
    },
    {
      command: `${jupyter} lab --config jupyter_server_test_config.py --ServerApp.port=8889`,
      url: `${EMPTY}/lab`,
      timeout: 120 * 1000,
      reuseExistingServer: false
    }
  ]
};
