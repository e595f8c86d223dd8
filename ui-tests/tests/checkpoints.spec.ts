import { expect, test } from '@jupyterlab/galata';

import { openPanel, runNotebook } from './helpers';

/** Generous: the first run in a fresh store waits for MLflow's migrations. */
const STORE_TIMEOUT = 30000;

test('the run detail lists checkpoints and copies the line that loads one', async ({
  browserName,
  context,
  page,
  tmpPath
}, testInfo) => {
  test.setTimeout(90000);
  // Given a run with two versions of a checkpoint (no torch: extra and RNG states)
  await runNotebook(page, tmpPath, 'ckpt.ipynb', [
    '%load_ext jupyterlab_xp\n%xp start ckpt-ui --seed 1',
    "import jupyterlab_xp as xp\nxp.checkpoint('state', step=3, extra={'best': 0.5})",
    "xp.checkpoint('state', step=6, extra={'best': 0.4})",
    '%xp stop'
  ]);

  // When its detail is opened
  const panel = await openPanel(page);
  const entry = panel.getByRole('button', { name: 'ckpt-ui', exact: true });
  await expect(entry).toBeVisible({ timeout: STORE_TIMEOUT });
  await entry.click();

  // Then the Checkpoints table lists both versions, the newest first
  const detail = page.locator('.jp-xp-Detail');
  const table = detail.getByRole('table', { name: 'Checkpoints' });
  const rows = table.getByRole('row');
  await expect(rows).toHaveCount(3, { timeout: STORE_TIMEOUT }); // header + 2
  await expect(rows.nth(1)).toContainText('state2');
  await expect(rows.nth(1)).toContainText(/xp\.load_checkpoint\("\w{32}:state:2"\)/);
  await expect(rows.nth(2)).toContainText(/xp\.load_checkpoint\("\w{32}:state:1"\)/);
  await table.scrollIntoViewIfNeeded();
  await table.screenshot({ path: testInfo.outputPath('checkpoints.png') });

  // And its Copy button puts that line on the clipboard
  if (browserName === 'chromium') {
    await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  }
  await table.getByRole('button', { name: 'Copy load line of state:2' }).click();
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  expect(copied).toMatch(/^xp\.load_checkpoint\("\w{32}:state:2"\)$/);
});
