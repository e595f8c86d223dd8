import { expect, test } from '@jupyterlab/galata';

import { openPanel, runNotebook } from './helpers';

/** A string that would run script if it were ever rendered as HTML. */
const HOSTILE = '<img src=x onerror=window.__xss=1>';

/** Generous: the first run in a fresh store waits for MLflow's migrations. */
const STORE_TIMEOUT = 30000;

test('record two runs, see them in the panel, open one and compare both', async ({
  page,
  tmpPath
}, testInfo) => {
  test.setTimeout(90000);
  // Given two notebooks recorded with different learning rates
  await runNotebook(page, tmpPath, 'first.ipynb', [
    '%load_ext jupyterlab_xp\n%xp start first --seed 1',
    '%xp param lr=0.1',
    '%xp log val/accuracy=0.5',
    '%xp stop'
  ]);
  await runNotebook(page, tmpPath, 'second.ipynb', [
    '%load_ext jupyterlab_xp\n%xp start second --seed 1',
    '%xp param lr=0.2',
    '%xp log val/accuracy=0.7',
    '%xp stop'
  ]);

  // When the Experiments panel is opened
  const panel = await openPanel(page);

  // Then both runs are listed, finished, newest first
  await expect(
    panel.getByRole('button', { name: 'first', exact: true })
  ).toBeVisible({ timeout: STORE_TIMEOUT });
  await expect(
    panel.getByRole('button', { name: 'second', exact: true })
  ).toBeVisible({ timeout: STORE_TIMEOUT });
  for (const name of ['first', 'second']) {
    // (other spec files share this server's store: look at these two rows only)
    const row = panel.locator('.jp-xp-RunRow', {
      has: page.getByRole('button', { name, exact: true })
    });
    await expect(row.getByText('finished', { exact: true })).toBeVisible();
  }
  await page.screenshot({ path: testInfo.outputPath('run-list.png') });

  // When the first run is opened
  await panel.getByRole('button', { name: 'first', exact: true }).click();

  // Then its tab shows its params and its cell journal in execution order
  const detail = page.locator('.jp-xp-Detail');
  const params = detail.getByRole('table', { name: 'Parameters' });
  await expect(params.getByRole('row', { name: 'lr 0.1' })).toBeVisible();
  const journal = detail.getByRole('list', { name: 'Cell journal' });
  await expect(journal.getByRole('listitem')).toHaveCount(4);
  await expect(journal.getByRole('listitem').nth(1)).toContainText(
    '%xp param lr=0.1'
  );
  // (the sampler's system/* metrics have curves of their own beside it)
  await expect(
    detail
      .getByRole('table', { name: 'Metrics' })
      .getByRole('img', { name: /^val\/accuracy: / })
  ).toBeVisible();
  await page.screenshot({ path: testInfo.outputPath('run-detail.png') });

  // And "Open notebook" brings the recorded notebook to the front
  await detail.getByRole('button', { name: 'Open notebook' }).click();
  await expect(
    page.getByRole('main').getByRole('tab', { name: 'first.ipynb' })
  ).toHaveAttribute('aria-selected', 'true');

  // When both runs are ticked and compared
  await panel.getByRole('checkbox', { name: 'Select first' }).check();
  await panel.getByRole('checkbox', { name: 'Select second' }).check();
  await panel.getByRole('button', { name: 'Compare (2)' }).click();

  // Then, differences only, the params show lr 0.1 against 0.2 and hide the
  // seed both runs share
  const compare = page.locator('.jp-xp-Compare');
  const compared = compare.getByRole('table', { name: 'Parameters' });
  await expect(compared.locator('tbody tr')).toHaveCount(1);
  await expect(compared.locator('tbody tr').first().locator('th')).toHaveText(
    'lr'
  );
  await expect(compared.locator('tbody tr').first().locator('td')).toHaveText([
    '0.1',
    '0.2'
  ]);
  await expect(
    compare.getByRole('img', { name: /^val\/accuracy: 2 line/ })
  ).toBeVisible();
  await page.screenshot({ path: testInfo.outputPath('compare.png') });

  // And "Show all" brings back the rows that are the same
  await compare.getByRole('checkbox', { name: 'Show all' }).check();
  await expect(compared.getByRole('row', { name: 'seed 1 1' })).toBeVisible();
});

test('captured strings are rendered as text, never as HTML', async ({
  page,
  tmpPath
}, testInfo) => {
  // Given a run whose name and a param hold an HTML payload
  await runNotebook(page, tmpPath, 'hostile.ipynb', [
    [
      'import jupyterlab_xp as xp',
      `with xp.start(${JSON.stringify(HOSTILE)}, seed=2):`,
      `    xp.param(html=${JSON.stringify(HOSTILE)})`
    ].join('\n')
  ]);

  // When it appears in the panel and its detail is opened
  const panel = await openPanel(page);
  const entry = panel.getByRole('button', { name: HOSTILE, exact: true });
  await expect(entry).toBeVisible({ timeout: STORE_TIMEOUT });
  await entry.click();

  // Then the payload shows as literal text and never ran
  const detail = page.locator('.jp-xp-Detail');
  await expect(
    detail.getByRole('heading', { name: new RegExp(`^${HOSTILE}`) })
  ).toBeVisible();
  await expect(
    detail
      .getByRole('table', { name: 'Parameters' })
      .getByRole('row', { name: `html ${HOSTILE}` })
  ).toBeVisible();
  await expect(page.locator('.jp-xp-Panel img, .jp-xp-MainArea img')).toHaveCount(
    0
  );
  expect(await page.evaluate(() => '__xss' in window)).toBe(false);
  await page.screenshot({ path: testInfo.outputPath('hostile.png') });
});

test('a run with a secret in a cell says what was redacted and what the store refused', async ({
  page,
  tmpPath
}, testInfo) => {
  test.setTimeout(120000);
  // Given a run with a token in its second cell, and a param the store
  // refuses (the user's own MLflow call set it first)
  const token = 'ghp_' + 'aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5';
  await runNotebook(page, tmpPath, 'keyed.ipynb', [
    '%load_ext jupyterlab_xp\n%xp start keyed --seed 1',
    `gh_token = "${token}"`,
    "import mlflow\nmlflow.log_param('lr', '0.1')",
    '%xp param lr=0.2',
    '%xp stop'
  ]);

  // When its detail is opened
  const panel = await openPanel(page);
  const entry = panel.getByRole('button', { name: 'keyed', exact: true });
  await expect(entry).toBeVisible({ timeout: STORE_TIMEOUT });
  await entry.click();
  const detail = page.locator('.jp-xp-Detail:visible');
  await expect(
    detail.getByRole('heading', { name: /^keyed finished$/ })
  ).toBeVisible({ timeout: STORE_TIMEOUT });

  // Then its Recording section counts the redacted values and names where
  // they were, and the record the store refused
  const recording = detail.getByRole('list', { name: 'Store copy' });
  await expect(recording.getByRole('listitem').first()).toHaveText(
    /^\d+ values? redacted \((.*, )?cell 2 source(, .*)?\)\. /
  );
  await expect(recording.getByRole('listitem').nth(1)).toHaveText(
    '1 record refused by the store (kept in refused.jsonl on the recording machine)'
  );
  await detail
    .getByText('Where values were redacted', { exact: true })
    .click();
  await expect(
    detail.getByRole('table', { name: 'Redactions' }).getByRole('row', {
      name: /^cell 2 source 1 /
    })
  ).toBeVisible();
  // and the token itself is nowhere in the run's detail
  await expect(detail).not.toContainText(token);
  await page.screenshot({ path: testInfo.outputPath('recording.png') });
});
