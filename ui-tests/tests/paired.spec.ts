import { expect, test } from '@jupyterlab/galata';

import { openPanel, runNotebook } from './helpers';

/** Generous: the first run in a fresh store waits for MLflow's migrations. */
const STORE_TIMEOUT = 30000;

test('paired tests: two runs with predictions on one locked split are compared example by example', async ({
  page,
  tmpPath
}) => {
  test.setTimeout(180000);
  // Given two runs on the same locked split that logged their test predictions:
  // the narrow one wrong on every 5th test example, the wide one on every 20th
  await runNotebook(page, tmpPath, 'paired.ipynb', [
    [
      'import numpy as np',
      'import jupyterlab_xp as xp',
      'y = np.arange(200) % 10',
      'for width, every in ((8, 5), (32, 20)):',
      "    xp.start('paired-mlp', experiment='paired-ui', seed=1)",
      '    xp.param(width=width)',
      "    test = xp.split(200, {'train': 0.5, 'test': 0.5}, stratify=y)['test']",
      '    wrong = np.arange(len(test)) % every == 0',
      '    pred = np.where(wrong, (y[test] + 1) % 10, y[test])',
      "    xp.log({'test/accuracy': float(np.mean(pred == y[test]))})",
      "    xp.log_predictions('test', test, y[test], pred)",
      '    xp.stop()'
    ].join('\n')
  ]);

  // When the panel compares the two runs
  const panel = await openPanel(page);
  await expect(
    panel.getByRole('option', { name: 'paired-ui', exact: true })
  ).toBeAttached({ timeout: STORE_TIMEOUT });
  await panel
    .getByRole('combobox', { name: 'Experiment' })
    .selectOption('paired-ui');
  const boxes = panel.getByRole('checkbox', { name: 'Select paired-mlp' });
  await expect(boxes).toHaveCount(2, { timeout: STORE_TIMEOUT });
  await boxes.nth(0).check();
  await boxes.nth(1).check();
  await panel.getByRole('button', { name: 'Compare (2)' }).click();

  // Then the paired tests table names McNemar's exact test on the 15 test
  // examples only the wide run got right, and calls the difference real
  const table = page
    .locator('.jp-xp-Compare')
    .getByRole('table', { name: 'Paired tests' });
  await expect(table).toBeVisible({ timeout: STORE_TIMEOUT });
  const row = table.getByRole('row', { name: /^test\/accuracy/ });
  await expect(row).toContainText('McNemar (exact binomial)');
  await expect(row).toContainText('100 examples');
  await expect(row).toContainText(/0 only a right, 15 only b right|15 only a right, 0 only b right/);
  await expect(row).toContainText('distinguishable');
  await expect(row).not.toContainText('not distinguishable');
});
