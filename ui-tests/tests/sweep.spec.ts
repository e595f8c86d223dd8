import { expect, test } from '@jupyterlab/galata';

import { openPanel, runNotebook } from './helpers';

/** Generous: the first run in a fresh store waits for MLflow's migrations. */
const STORE_TIMEOUT = 30000;

/** Each trial starts a kernel and replays the notebook with papermill. */
const SWEEP_TIMEOUT = 240000;

test('sweep a recorded run from its detail, watch its trials arrive and open the parallel coordinates', async ({
  page,
  tmpPath
}, testInfo) => {
  test.setTimeout(420000);
  // Given a recorded run whose notebook has a parameters cell and logs
  // val/score at each step
  await runNotebook(page, tmpPath, 'sweepsrc.ipynb', [
    { source: 'x = 0.5\nsteps = 3', tags: ['parameters'] },
    '%load_ext jupyterlab_xp\n%xp start sweepsrc --seed 0',
    'import jupyterlab_xp as xp\nfor step in range(steps):\n    xp.log({"val/score": x * (step + 1)}, step=step)',
    '%xp stop'
  ]);
  const panel = await openPanel(page);
  const entry = panel.getByRole('button', { name: 'sweepsrc', exact: true });
  await expect(entry).toBeVisible({ timeout: STORE_TIMEOUT });
  await expect(
    panel
      .locator('.jp-xp-RunRow', {
        has: page.getByRole('button', { name: 'sweepsrc', exact: true })
      })
      .getByText('finished', { exact: true })
  ).toBeVisible({ timeout: STORE_TIMEOUT });

  // When its detail is opened and Sweep… is clicked
  await entry.click();
  const source = page.locator('.jp-xp-Detail:visible');
  await expect(
    source.getByRole('heading', { name: /^sweepsrc finished$/ })
  ).toBeVisible({ timeout: STORE_TIMEOUT });
  await source.getByRole('button', { name: 'Sweep…' }).click();

  // Then the dialog lists the parameters cell's names, each with a
  // distribution around its value, and the run's metric as the objective
  const dialog = page.locator('.jp-Dialog');
  await expect(dialog.getByText('Sweep sweepsrc')).toBeVisible();
  const space = dialog.getByRole('table', { name: 'Search space' });
  await expect(space.getByRole('checkbox', { name: 'x' })).toBeChecked({
    timeout: STORE_TIMEOUT
  });
  await expect(
    space.getByRole('combobox', { name: 'x distribution' })
  ).toHaveValue('loguniform');
  await expect(space.getByRole('textbox', { name: 'x low' })).toHaveValue(
    '0.05'
  );
  await expect(
    space.getByRole('combobox', { name: 'steps distribution' })
  ).toHaveValue('int');
  await expect(dialog.getByRole('combobox', { name: 'Objective' })).toHaveValue(
    'val/score'
  );
  await expect(dialog.getByRole('combobox', { name: 'Direction' })).toHaveValue(
    'maximize'
  );

  // When only x is searched, uniformly, over a range upside down
  await space.getByRole('checkbox', { name: 'steps' }).uncheck();
  await space
    .getByRole('combobox', { name: 'x distribution' })
    .selectOption('uniform');
  await space.getByRole('textbox', { name: 'x low' }).fill('1');
  await space.getByRole('textbox', { name: 'x high' }).fill('0');
  await dialog.getByRole('textbox', { name: 'Trials' }).fill('2');
  await dialog.getByRole('textbox', { name: 'Workers' }).fill('1');
  await dialog.getByRole('combobox', { name: 'Pruner' }).selectOption('none');
  await dialog.getByRole('button', { name: 'Start sweep' }).click();

  // Then the dialog says what is wrong in one line, and stays open
  await expect(dialog.getByRole('alert')).toHaveText(
    'x: bad range 1:0 (LOW must be below HIGH)'
  );

  // When the range is fixed and the sweep started
  await space.getByRole('textbox', { name: 'x low' }).fill('0');
  await space.getByRole('textbox', { name: 'x high' }).fill('1');
  await page.screenshot({ path: testInfo.outputPath('sweep-dialog.png') });
  await dialog.getByRole('button', { name: 'Start sweep' }).click();

  // Then the dialog closes and the sweep's tab opens, running
  await expect(dialog).toHaveCount(0, { timeout: STORE_TIMEOUT });
  const view = page.locator('.jp-xp-Sweep:visible');
  await expect(view.getByRole('heading', { name: /^Sweep / })).toBeVisible();
  await expect(
    view
      .getByRole('table', { name: 'Sweep' })
      .getByRole('row', { name: /^Objective/ })
  ).toContainText('val/score (maximize)');

  // And its two trials arrive and complete, each with its run
  const trials = view.getByRole('table', { name: 'Trials' });
  for (const number of [0, 1]) {
    const row = trials.getByRole('row', { name: `Trial ${number}` });
    await expect(row.getByText('complete', { exact: true })).toBeVisible({
      timeout: SWEEP_TIMEOUT
    });
    await expect(row.getByRole('button')).toBeVisible();
  }
  await expect(
    view.locator('.jp-xp-DetailHeader-title .jp-xp-Badge')
  ).toHaveText('finished', { timeout: STORE_TIMEOUT });
  await expect(view.getByRole('button', { name: 'Cancel' })).toHaveCount(0);
  await expect(view.getByRole('table', { name: 'Best trial' })).toContainText(
    'val/score (maximize)'
  );
  await page.screenshot({ path: testInfo.outputPath('sweep-view.png') });

  // When the parallel coordinates are opened
  await view.getByRole('button', { name: 'Parallel coordinates' }).click();

  // Then a line per complete trial crosses the x axis and the objective's
  const chart = view.getByRole('img', { name: /^Parallel coordinates: / });
  await expect(chart).toHaveAttribute(
    'aria-label',
    /^Parallel coordinates: 2 complete trial\(s\) across 1 parameter\(s\) and val\/score/
  );
  await expect(chart.locator('polyline')).toHaveCount(2);
  await chart.scrollIntoViewIfNeeded();
  await page.screenshot({ path: testInfo.outputPath('sweep-parallel.png') });
  if (process.env.XP_SCREENSHOTS) {
    await page.screenshot({
      path: `${process.env.XP_SCREENSHOTS}/sweep-view.png`
    });
  }

  // And parameter importance and the trials table are further down
  await expect(
    view.getByRole('table', { name: 'Parameter importance' })
  ).toContainText('x');
  await trials.scrollIntoViewIfNeeded();
  await page.screenshot({ path: testInfo.outputPath('sweep-trials.png') });

  // When the best trial's run is opened, it is a trial run
  await view
    .getByRole('table', { name: 'Best trial' })
    .getByRole('button')
    .click();
  const trialRun = page.locator('.jp-xp-Detail:visible');
  await expect(
    trialRun
      .getByRole('table', { name: 'Run' })
      .getByRole('row', { name: /^Kind/ })
  ).toContainText('trial', { timeout: STORE_TIMEOUT });

  // And Open sweep brings its sweep's tab back to the front
  await trialRun.getByRole('button', { name: 'Open sweep' }).click();
  await expect(
    page
      .locator('.jp-xp-Sweep:visible')
      .getByRole('heading', { name: /^Sweep / })
  ).toBeVisible();

  // When the Sweeps tab is opened (Show Sweeps in the command palette)
  await page.evaluate(async () => {
    await window.jupyterapp.commands.execute('jupyterlab-xp:open-sweeps');
  });

  // Then it lists the sweep, finished, with its objective; the link opens it
  const list = page.getByRole('table', { name: 'Sweeps' });
  const listed = list.getByRole('row').nth(1);
  await expect(listed).toContainText('finished', { timeout: STORE_TIMEOUT });
  await expect(listed).toContainText('val/score (maximize)');
  await listed.getByRole('button').click();
  await expect(
    page
      .locator('.jp-xp-Sweep:visible')
      .getByRole('heading', { name: /^Sweep / })
  ).toBeVisible();
});
