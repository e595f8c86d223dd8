/**
 * Playwright configuration for the jupyterlab-xp browser tests.
 *
 * Galata's base configuration, run against the system Chromium: Playwright
 * cannot download its own browsers on the build machines.
 */
const baseConfig = require('@jupyterlab/galata/lib/playwright-config');

const jupyter = process.env.JUPYTER || '../.venv/bin/jupyter';

module.exports = {
  ...baseConfig,
  reporter: [['list']],
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
  webServer: {
    command: `${jupyter} lab --config jupyter_server_test_config.py`,
    url: 'http://localhost:8888/lab',
    timeout: 120 * 1000,
    reuseExistingServer: false
  }
};
