import { expect, test } from '@jupyterlab/galata';

import { openPanel, runNotebook } from './helpers';

test('the Record button starts and stops a run, live in the panel', async ({
  page,
  tmpPath
}, testInfo) => {
  test.setTimeout(90000);
  // Given an open notebook with a running kernel, and the Experiments panel
  await runNotebook(page, tmpPath, 'recorded.ipynb', ['x = 1']);
  const panel = await openPanel(page);
  const record = page.getByRole('button', { name: 'Record', exact: true });

  // When Record is clicked in the notebook's toolbar
  await record.click();

  // Then the button shows it is recording, the status bar names the run, and
  // the run appears in the panel as running
  const recording = page.getByRole('button', {
    name: 'Recording',
    exact: true
  });
  await expect(recording).toBeVisible({ timeout: 30000 });
  await expect(recording).toHaveAttribute('aria-pressed', 'true');
  const statusBar = page.locator('#jp-main-statusbar');
  await expect(
    statusBar.getByText(/^xp: recording recorded-\d{8}-\d{6} · \d+ cells?$/)
  ).toBeVisible();
  const row = panel
    .getByRole('listitem')
    .filter({ has: page.getByRole('button', { name: 'recorded' }) });
  await expect(row.getByText('running', { exact: true })).toBeVisible();
  await page.screenshot({ path: testInfo.outputPath('recording.png') });

  // When it is clicked again
  await recording.click();

  // Then the run ends: Record is offered again, the status bar is quiet and
  // the panel shows the run finished
  await expect(record).toBeVisible({ timeout: 30000 });
  await expect(statusBar.getByText(/^xp: recording/)).toHaveCount(0);
  await expect(row.getByText('finished', { exact: true })).toBeVisible();
});
