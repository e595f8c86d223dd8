/**
 * A Playwright reporter that ends the run with what a CI log's tail needs: each failed
 * test's first error line, and the last jupyterlab-xp warnings and errors the test
 * servers logged (jupyter_server_test_config.py writes them to XP_UI_SERVER_LOG).
 * The list reporter prints the full errors first; CI keeps only the end of the output.
 */
const fs = require('fs');

// Playwright colours its messages; the summary is for plain logs.
const COLOUR = new RegExp(String.fromCharCode(27) + '\\[[0-9;]*m', 'g');

function say(line) {
  process.stdout.write(`${line}\n`);
}

class FailureSummary {
  constructor() {
    this.failures = [];
  }

  onTestEnd(test, result) {
    if (result.status === 'passed' || result.status === 'skipped') {
      return;
    }
    const error = result.errors[0] || {};
    const where = error.location
      ? `${error.location.file.split('/').pop()}:${error.location.line}`
      : test.location.file.split('/').pop();
    const message = (error.message || result.status)
      .replace(COLOUR, '')
      .split('\n')
      .filter(line => line.trim() !== '')
      .slice(0, 3)
      .join(' | ');
    this.failures.push(`  ${where} ${test.title}: ${message.slice(0, 300)}`);
  }

  onEnd() {
    if (this.failures.length === 0) {
      return;
    }
    say(`\nFailed tests, first error line of each (${this.failures.length}):`);
    for (const line of this.failures) {
      say(line);
    }
    const log = process.env.XP_UI_SERVER_LOG;
    if (log && fs.existsSync(log)) {
      const lines = fs
        .readFileSync(log, 'utf-8')
        .split('\n')
        .filter(
          line => line.includes('jupyterlab-xp') || /Error|Exception/.test(line)
        );
      say(`Server log, last jupyterlab-xp warnings and errors (${log}):`);
      for (const line of lines.slice(-12)) {
        say(`  ${line.slice(0, 300)}`);
      }
    }
  }
}

module.exports = FailureSummary;
