import { expect, test } from '@jupyterlab/galata';
import * as path from 'path';

import { openPanel, runNotebook } from './helpers';

/** Generous: the first run in a fresh store waits for MLflow's migrations. */
const STORE_TIMEOUT = 30000;

/**
 * Where README screenshots go when `XP_SCREENSHOTS` names a folder
 * (`XP_SCREENSHOTS=../docs/images npx playwright test seeds`); otherwise the
 * test's own output folder.
 */
function screenshotPath(
  name: string,
  outputPath: (name: string) => string
): string {
  const folder = process.env.XP_SCREENSHOTS;
  return folder ? path.resolve(folder, name) : outputPath(name);
}

test('seed groups: a table tells six same-named runs apart, compare draws each group as a band', async ({
  page,
  tmpPath
}, testInfo) => {
  test.setTimeout(180000);
  // Given two configurations times three seeds, all six runs named alike,
  // each logging a loss curve over ten steps
  await runNotebook(page, tmpPath, 'seeds.ipynb', [
    [
      'import jupyterlab_xp as xp',
      'for lr in (0.1, 0.01):',
      '    for seed in (1, 2, 3):',
      "        xp.start('seeds-mlp', experiment='seeds-ui', seed=seed)",
      '        xp.param(lr=lr, hidden=32)',
      '        for step in range(10):',
      '            base = 1.0 if lr == 0.1 else 0.6',
      "            xp.log({'val/loss': base / (step + 1) + 0.05 * seed}, step=step)",
      "        xp.log({'val/accuracy': 0.9 - base / 10 + 0.01 * seed})",
      '        xp.stop()'
    ].join('\n')
  ]);

  // When the panel lists this experiment
  const panel = await openPanel(page);
  await expect(
    panel.getByRole('option', { name: 'seeds-ui', exact: true })
  ).toBeAttached({ timeout: STORE_TIMEOUT });
  await panel
    .getByRole('combobox', { name: 'Experiment' })
    .selectOption('seeds-ui');
  await expect(
    panel.getByRole('button', { name: 'seeds-mlp', exact: true })
  ).toHaveCount(6, { timeout: STORE_TIMEOUT });

  // And it is switched to the table view, with the lr column chosen
  await panel.getByRole('button', { name: 'Table', exact: true }).click();
  await panel.getByText(/^Columns \(\d+\)$/).click();
  const chooser = panel.locator('.jp-xp-ColumnChooser');
  await chooser.getByRole('checkbox', { name: 'lr', exact: true }).check();
  await chooser
    .getByRole('checkbox', { name: 'val/accuracy', exact: true })
    .check();
  await panel.getByText('Columns (2)').click(); // close the chooser

  // And sorted by lr, ascending
  const heading = panel.getByRole('columnheader', { name: /^lr/ });
  await heading.click();

  // Then the six runs show their lr, the smaller first
  await expect(heading).toHaveAttribute('aria-sort', 'ascending');
  const rows = panel.locator('.jp-xp-RunTable-row');
  await expect(rows).toHaveCount(6);
  const lrColumn = rows.locator('[title^="lr: "]');
  await expect(lrColumn).toHaveText([
    '0.01',
    '0.01',
    '0.01',
    '0.1',
    '0.1',
    '0.1'
  ]);
  await page.screenshot({
    path: screenshotPath('run-table.png', testInfo.outputPath.bind(testInfo))
  });

  // When all six are ticked and compared
  const boxes = panel.getByRole('checkbox', { name: 'Select seeds-mlp' });
  for (let i = 0; i < 6; i++) {
    await boxes.nth(i).check();
  }
  await panel.getByRole('button', { name: 'Compare (6)' }).click();

  // Then each metric is two mean curves (one per lr) with shaded std bands,
  // not six lines
  const compare = page.locator('.jp-xp-Compare');
  const chart = compare.getByRole('img', {
    name: /^val\/loss: 2 line\(s\), shaded bands: mean ± std/
  });
  await expect(chart).toBeVisible({ timeout: STORE_TIMEOUT });
  await expect(chart.locator('path.jp-xp-Chart-band')).toHaveCount(2);
  await expect(
    compare.getByRole('list', { name: 'Legend of val/loss' })
  ).toContainText('lr=0.1 (3 runs)');
  await chart.scrollIntoViewIfNeeded();
  await page.screenshot({
    path: screenshotPath('compare-bands.png', testInfo.outputPath.bind(testInfo))
  });

  // When the band is switched to the interval and the runs are shown too
  await compare.getByRole('radio', { name: '95% interval' }).check();
  await compare.getByRole('checkbox', { name: 'Show individual runs' }).check();

  // Then the same two bands say they are intervals, over the six runs' lines
  await expect(
    compare.getByRole('img', {
      name: /^val\/loss: 8 line\(s\), shaded bands: 95% t interval of the mean/
    })
  ).toBeVisible();

  // When the second lr group is gated against the first on val/accuracy
  await compare.getByRole('button', { name: 'Gate against…' }).click();
  const form = compare.getByRole('form', { name: 'Gate against' });
  await form
    .getByLabel('Metric', { exact: true })
    .selectOption('val/accuracy');
  await form.getByRole('button', { name: 'Gate', exact: true }).click();

  // Then, with three seeds a side, the gate is inconclusive and says why
  await expect(
    compare.getByRole('status', { name: 'Gate decision' })
  ).toContainText('inconclusive', { timeout: STORE_TIMEOUT });
  await expect(
    compare.getByRole('table', { name: 'Gate per metric' })
  ).toContainText('3 seeds on a side');
});
