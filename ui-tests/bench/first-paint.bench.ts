import { expect, test } from '@jupyterlab/galata';

import { openPanel } from '../tests/helpers';

/**
 * Panel first paint over the store the benchmark prepared: from opening the
 * Experiments panel to the first run rows on screen, then a scroll to the
 * end of what is loaded. Prints `first paint: N ms` for bench_panel.py.
 */
test('first paint of the run list', async ({ page }) => {
  const start = Date.now();
  const panel = await openPanel(page);
  await expect(panel.locator('.jp-xp-RunRow').first()).toBeVisible({
    timeout: 60000
  });
  const firstPaint = Date.now() - start;
  const rows = await panel.locator('.jp-xp-RunRow').count();
  process.stdout.write(
    `first paint: ${firstPaint} ms (${rows} rows in the DOM)\n`
  );
});
