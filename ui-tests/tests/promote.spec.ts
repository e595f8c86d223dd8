import { expect, test } from '@jupyterlab/galata';

import { openPanel, runNotebook } from './helpers';

/** Generous: the first run in a fresh store waits for MLflow's migrations. */
const STORE_TIMEOUT = 30000;

/** A promotion starts a kernel and replays the notebook with papermill. */
const PROMOTION_TIMEOUT = 150000;

test('promote a recorded run from its detail, watch it run and see it reproduced', async ({
  page,
  tmpPath
}, testInfo) => {
  test.setTimeout(300000);
  // Given a recorded run whose metric comes from a seeded random draw
  await runNotebook(page, tmpPath, 'promo.ipynb', [
    { source: 'scale = 2', tags: ['parameters'] },
    '%load_ext jupyterlab_xp\n%xp start promo --seed 3',
    'import random\nacc = random.random() / scale',
    'import jupyterlab_xp as xp\nxp.log({"acc": acc})',
    '%xp stop'
  ]);
  const panel = await openPanel(page);
  const entry = panel.getByRole('button', { name: 'promo', exact: true });
  await expect(entry).toBeVisible({ timeout: STORE_TIMEOUT });
  await expect(
    panel
      .locator('.jp-xp-RunRow', {
        has: page.getByRole('button', { name: 'promo', exact: true })
      })
      .getByText('finished', { exact: true })
  ).toBeVisible({ timeout: STORE_TIMEOUT });

  // When its detail is opened and Promote is clicked
  await entry.click();
  const source = page.locator('.jp-xp-Detail:visible');
  await expect(source.getByRole('heading', { name: /^promo finished$/ })).toBeVisible({
    timeout: STORE_TIMEOUT
  });
  await source.getByRole('button', { name: 'Promote', exact: true }).click();

  // Then the dialog is pre-filled from the run: its parameter, seed, order
  // and order verdict
  const dialog = page.locator('.jp-Dialog');
  await expect(dialog.getByText('Promote promo')).toBeVisible();
  const params = dialog.getByRole('table', { name: 'Parameters' });
  await expect(params.getByRole('textbox', { name: 'scale' })).toHaveValue(
    '2',
    { timeout: STORE_TIMEOUT }
  );
  await expect(dialog.getByRole('textbox', { name: 'Seeds' })).toHaveValue(
    '3'
  );
  await expect(dialog.getByRole('combobox', { name: 'Order' })).toHaveValue(
    'recorded'
  );
  await expect(
    dialog.getByRole('row', { name: /^Order verdict/ }).locator('.jp-xp-Badge')
  ).toHaveText(/^(not )?linear$/);
  await page.screenshot({ path: testInfo.outputPath('promote-dialog.png') });

  // And it says who recorded the run, where and when, and where the code
  // comes from
  await expect(
    dialog.getByRole('row', { name: /^Recorded (by \S+ )?on \S+, / })
  ).toBeVisible();
  await expect(
    dialog.getByRole('row', { name: /^Code from this machine’s journal/ })
  ).toBeVisible();

  // When its "Code that will run" section is opened
  await dialog.getByText(/^Code that will run \(\d+ cells\)$/).click();

  // Then it lists, as text, the cells the promotion will run, in order
  const code = dialog.getByRole('list', { name: 'Code that will run' });
  await expect(code.getByRole('listitem')).toContainText([
    'scale = 2',
    '%xp start',
    'acc = random.random() / scale',
    'xp.log({"acc": acc})',
    '%xp stop'
  ]);
  await expect(code.locator('pre').first()).toHaveText(/^scale = 2/);
  await page.screenshot({ path: testInfo.outputPath('promote-code.png') });

  // When the seeds repeat, the server's refusal shows in the dialog, which
  // stays open
  await dialog.getByRole('textbox', { name: 'Seeds' }).fill('3,3');
  await dialog.getByRole('button', { name: 'Promote', exact: true }).click();
  await expect(dialog.getByRole('alert')).toContainText('repeat');
  await page.screenshot({ path: testInfo.outputPath('promote-refused.png') });

  // When the seed is fixed and Promote is clicked again
  await dialog.getByRole('textbox', { name: 'Seeds' }).fill('3');
  await dialog.getByRole('button', { name: 'Promote', exact: true }).click();

  // Then the dialog closes and the run's detail shows the promotion's
  // progress at once
  await expect(dialog).toHaveCount(0);
  const promotion = source.getByRole('listitem', { name: /^Promotion / });
  await expect(promotion).toHaveCount(1);
  await expect(
    promotion.getByRole('progressbar', { name: 'Cells run' })
  ).toBeVisible();
  await page.screenshot({ path: testInfo.outputPath('promotion-progress.png') });

  // And the promotion finishes with a run that reproduced the source exactly
  const seedRow = promotion
    .getByRole('table', { name: 'Promoted runs' })
    .getByRole('row')
    .nth(1);
  await expect(seedRow).toContainText('reproduced exactly', {
    timeout: PROMOTION_TIMEOUT
  });
  await expect(seedRow).toContainText('finished');
  await expect(
    promotion.locator('.jp-xp-Promotion-head').getByText('finished')
  ).toBeVisible();
  await expect(promotion.getByRole('button', { name: 'Cancel' })).toHaveCount(
    0
  );
  // And the source run links to its promoted run once the job has ended
  await expect(source.getByText(/^Promoted run: /)).toBeVisible({
    timeout: STORE_TIMEOUT
  });
  await page.screenshot({ path: testInfo.outputPath('promotion-finished.png') });

  // When the promoted run is opened
  await seedRow.getByRole('button').click();

  // Then it says where it comes from and that it reproduced it
  const promoted = page.locator('.jp-xp-Detail:visible');
  const origin = promoted.getByText(/^Promoted from /);
  await expect(origin).toBeVisible({ timeout: STORE_TIMEOUT });
  await expect(
    promoted
      .locator('.jp-xp-Verification')
      .getByText('reproduced exactly', { exact: true })
  ).toBeVisible();
  await expect(
    promoted.getByText('Every metric equals the source run’s.')
  ).toBeVisible();
  await page.screenshot({ path: testInfo.outputPath('promoted-run.png') });

  // And its source link leads back to the source run
  await origin.getByRole('button').click();
  await expect(
    page
      .locator('.jp-xp-Detail:visible')
      .getByRole('heading', { name: /^promo finished$/ })
  ).toBeVisible();
  // (and the promotion reads as well in the dark theme)
  await page.theme.setDarkTheme();
  await page.screenshot({ path: testInfo.outputPath('promotion-dark.png') });
});

test('the notebook toolbar promotes a notebook that was never recorded', async ({
  page,
  tmpPath
}, testInfo) => {
  test.setTimeout(240000);
  // Given a notebook that was run but not recorded
  await runNotebook(page, tmpPath, 'plain.ipynb', [
    { source: 'scale = 3', tags: ['parameters'] },
    'total = scale * 2\nprint(total)'
  ]);

  // When Promote is clicked in its toolbar
  await page.getByRole('button', { name: 'Promote', exact: true }).click();

  // Then the dialog names the notebook as the source, with its parameter
  const dialog = page.locator('.jp-Dialog');
  await expect(dialog.getByText('(no recorded run)')).toBeVisible({
    timeout: STORE_TIMEOUT
  });
  await expect(
    dialog.getByRole('table', { name: 'Parameters' }).getByRole('textbox', {
      name: 'scale'
    })
  ).toHaveValue('3');
  await page.screenshot({
    path: testInfo.outputPath('toolbar-promote-dialog.png')
  });

  const name = await dialog
    .getByRole('row', { name: /^Bundle/ })
    .locator('code')
    .textContent();

  // When it is promoted with another value of the parameter
  await dialog.getByRole('textbox', { name: 'scale' }).fill('5');
  await dialog.getByRole('button', { name: 'Promote', exact: true }).click();

  // Then the Promotions tab shows the job until it has finished
  await expect(dialog).toHaveCount(0);
  const tab = page.locator('.jp-xp-Detail:visible');
  await expect(tab.getByRole('heading', { name: 'Promotions' })).toBeVisible();
  // (with the earlier tests' promotions, which share the store)
  const promotion = tab.getByRole('listitem', { name: `Promotion ${name}` });
  await expect(promotion).toHaveCount(1);
  await expect(
    promotion.locator('.jp-xp-Promotion-head').getByText('finished')
  ).toBeVisible({ timeout: PROMOTION_TIMEOUT });
  await page.screenshot({
    path: testInfo.outputPath('toolbar-promotion-finished.png')
  });

  // And its run got the edited parameter, so its printed output differs
  // from the one the notebook stored
  await promotion
    .getByRole('table', { name: 'Promoted runs' })
    .getByRole('button')
    .click();
  const promoted = page.locator('.jp-xp-Detail:visible');
  await expect(
    promoted
      .getByRole('table', { name: 'Parameters' })
      .getByRole('row', { name: 'scale 5' })
  ).toBeVisible({ timeout: STORE_TIMEOUT });
  await expect(promoted.locator('.jp-xp-Verification')).toContainText(
    /Stored outputs: \d+ cells? compared, \d+ matched, [1-9]\d* mismatched/
  );
  await page.screenshot({
    path: testInfo.outputPath('toolbar-promoted-run.png')
  });
});

test('Cancel stops a running promotion', async ({ page, tmpPath }, testInfo) => {
  test.setTimeout(240000);
  // Given a recorded run whose parameter sets how long a cell sleeps
  await runNotebook(page, tmpPath, 'slow.ipynb', [
    { source: 'delay = 0', tags: ['parameters'] },
    '%load_ext jupyterlab_xp\n%xp start slow --seed 1',
    'import time\ntime.sleep(delay)',
    '%xp stop'
  ]);
  const panel = await openPanel(page);
  const entry = panel.getByRole('button', { name: 'slow', exact: true });
  await expect(entry).toBeVisible({ timeout: STORE_TIMEOUT });
  await entry.click();
  const source = page.locator('.jp-xp-Detail:visible');
  await source
    .getByRole('button', { name: 'Promote', exact: true })
    .click({ timeout: STORE_TIMEOUT });

  // When it is promoted with a cell that sleeps for ten minutes
  const dialog = page.locator('.jp-Dialog');
  const delay = dialog.getByRole('textbox', { name: 'delay' });
  await expect(delay).toHaveValue('0', { timeout: STORE_TIMEOUT });
  await delay.fill('600');
  await dialog.getByRole('button', { name: 'Promote', exact: true }).click();

  // Then the promotion shows that cell (by its first line) running, and
  // Cancel stops it
  const promotion = source.getByRole('listitem', { name: /^Promotion / });
  await expect(promotion.locator('.jp-xp-Promotion-current')).toHaveText(
    'Running import time',
    { timeout: PROMOTION_TIMEOUT }
  );
  await page.screenshot({ path: testInfo.outputPath('promotion-running.png') });
  await promotion.getByRole('button', { name: 'Cancel' }).click();
  await expect(
    promotion.locator('.jp-xp-Promotion-head').getByText('cancelled')
  ).toBeVisible({ timeout: STORE_TIMEOUT });
  await expect(promotion.getByRole('button', { name: 'Cancel' })).toHaveCount(
    0
  );
  await expect(
    promotion.getByRole('table', { name: 'Promoted runs' }).getByRole('row')
  ).toContainText(['Seed', 'killed']);
  await page.screenshot({
    path: testInfo.outputPath('promotion-cancelled.png')
  });
});
