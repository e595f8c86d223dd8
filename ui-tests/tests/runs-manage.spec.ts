import * as fs from 'fs';

import { expect, test } from '@jupyterlab/galata';

import { openPanel, runNotebook } from './helpers';

/** Generous: the first run in a fresh store waits for MLflow's migrations. */
const STORE_TIMEOUT = 30000;

/** A note whose HTML would run script if it were rendered as trusted HTML. */
const HOSTILE_NOTE = [
  '## Why it worked',
  '',
  '**label smoothing** helped',
  '',
  '<img src=x onerror="window.__xss=1">',
  '<script>window.__xss=2</script>',
  '[click me](javascript:window.__xss=3)'
].join('\n');

/** Record one finished run called `name` (tag team=vision, param lr) in a notebook. */
async function record(
  page: Parameters<typeof openPanel>[0],
  folder: string,
  name: string
): Promise<void> {
  await runNotebook(page, folder, `${name}.ipynb`, [
    [
      'import jupyterlab_xp as xp',
      `with xp.start(${JSON.stringify(name)}, seed=1, tags={"team": "vision"}):`,
      '    xp.param(lr=0.1)',
      '    xp.log({"val/accuracy": 0.5})'
    ].join('\n')
  ]);
}

// README: "scripts, event handlers and `javascript:` links never run"
test('rename a run, edit its tags, and write a note that renders safely', async ({
  page,
  tmpPath
}, testInfo) => {
  test.setTimeout(90000);
  // Given a recorded run, opened from the panel
  await record(page, tmpPath, 'to-rename');
  const panel = await openPanel(page);
  const entry = panel.getByRole('button', { name: 'to-rename', exact: true });
  await expect(entry).toBeVisible({ timeout: STORE_TIMEOUT });
  await entry.click();
  const detail = page.locator('.jp-xp-Detail');

  // When it is renamed in place
  await detail.getByRole('button', { name: 'Rename run' }).click();
  await detail.getByRole('textbox', { name: 'Run name' }).fill('renamed-run');
  await detail.getByRole('button', { name: 'Save', exact: true }).click();

  // Then its heading and the run list show the new name
  await expect(
    detail.getByRole('heading', { name: /^renamed-run/ })
  ).toBeVisible();
  await expect(
    panel.getByRole('button', { name: 'renamed-run', exact: true })
  ).toBeVisible();

  // When a tag is set and the recorded one removed
  await detail.getByRole('textbox', { name: 'Tag name' }).fill('owner');
  await detail.getByRole('textbox', { name: 'Tag value' }).fill('ana');
  await detail.getByRole('button', { name: 'Set tag' }).click();
  const tags = detail.getByRole('table', { name: 'Tags' });
  await expect(tags.getByRole('row', { name: /^owner ana/ })).toBeVisible();
  await tags.getByRole('button', { name: 'Remove tag team' }).click();

  // Then only the new one is left
  await expect(tags.getByRole('row', { name: /^team/ })).toHaveCount(0);
  await expect(tags.getByRole('row', { name: /^owner ana/ })).toBeVisible();

  // And a recorded xp.* tag is refused with the server's reason
  await detail.getByRole('textbox', { name: 'Tag name' }).fill('xp.kind');
  await detail.getByRole('textbox', { name: 'Tag value' }).fill('script');
  await detail.getByRole('button', { name: 'Set tag' }).click();
  await expect(detail.getByRole('alert')).toContainText('read-only');
  await detail.getByRole('button', { name: 'Dismiss' }).click();

  // When a note with HTML in it is written
  await detail.getByRole('button', { name: 'Add note' }).click();
  await detail.getByRole('textbox', { name: 'Note' }).fill(HOSTILE_NOTE);
  await detail.getByRole('button', { name: 'Save note' }).click();

  // Then its Markdown is rendered, and its HTML is sanitized: nothing ran
  const note = detail.getByRole('region', { name: 'Note' });
  await expect(
    note.getByRole('heading', { name: 'Why it worked' })
  ).toBeVisible();
  await expect(note.locator('strong')).toHaveText('label smoothing');
  await expect(note.locator('script')).toHaveCount(0);
  await expect(note.locator('[onerror]')).toHaveCount(0);
  await expect(note.locator('a[href^="javascript"]')).toHaveCount(0);
  expect(await page.evaluate(() => '__xss' in window)).toBe(false);
  await page.screenshot({ path: testInfo.outputPath('managed-run.png') });
});

test('archive a run, find it with "Show archived", and restore it', async ({
  page,
  tmpPath
}, testInfo) => {
  test.setTimeout(90000);
  // Given a recorded run, opened from the panel
  await record(page, tmpPath, 'to-archive');
  const panel = await openPanel(page);
  const entry = panel.getByRole('button', { name: 'to-archive', exact: true });
  await expect(entry).toBeVisible({ timeout: STORE_TIMEOUT });
  await entry.click();
  const detail = page.locator('.jp-xp-Detail');

  // When it is archived
  await detail.getByRole('button', { name: 'Archive', exact: true }).click();

  // Then its tab says so, and the run list hides it
  await expect(detail.getByRole('status')).toContainText(
    'This run is archived'
  );
  await expect(entry).toHaveCount(0);

  // When archived runs are shown
  await panel.getByRole('checkbox', { name: 'Show archived' }).check();

  // Then it is listed, marked archived
  const row = panel.locator('.jp-xp-RunRow', {
    has: page.getByRole('button', { name: 'to-archive', exact: true })
  });
  await expect(row.locator('.jp-xp-RunRow-details')).toContainText(
    /^archived · /
  );
  await page.screenshot({ path: testInfo.outputPath('archived-run.png') });

  // When it is restored from the list
  await panel.getByRole('button', { name: 'Restore to-archive' }).click();

  // Then it is a plain run again, also without "Show archived"
  await expect(
    row.getByRole('button', { name: 'Restore to-archive' })
  ).toHaveCount(0);
  await expect(row).not.toContainText('archived');
  await panel.getByRole('checkbox', { name: 'Show archived' }).uncheck();
  await expect(entry).toBeVisible();
});

test('export the run list as CSV with its param and metric columns', async ({
  page,
  tmpPath
}) => {
  test.setTimeout(90000);
  // Given a recorded run in the panel
  await record(page, tmpPath, 'to-export');
  const panel = await openPanel(page);
  await expect(
    panel.getByRole('button', { name: 'to-export', exact: true })
  ).toBeVisible({ timeout: STORE_TIMEOUT });

  // When the list, searched for it, is exported
  await panel
    .getByRole('searchbox', { name: 'Search run names' })
    .fill('to-export');
  await expect(panel.getByText('1 run', { exact: true })).toBeVisible();
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    panel.getByRole('button', { name: 'Export CSV' }).click()
  ]);

  // Then the browser saves runs.csv: the run with its param and metric columns
  expect(download.suggestedFilename()).toBe('runs.csv');
  const text = fs.readFileSync(await download.path(), 'utf-8');
  // Every cell is quoted (a spreadsheet reads nothing in it as a formula or a row break)
  expect(text.startsWith('"run_id","name",')).toBe(true);
  const [header, ...rows] = text
    .trim()
    .split(/\r?\n/)
    .map(line => line.replace(/^"|"$/g, '').split('","'));
  expect(header.slice(0, 7)).toEqual([
    'run_id',
    'name',
    'experiment',
    'status',
    'start',
    'duration',
    'seed'
  ]);
  expect(rows).toHaveLength(1);
  const cell = (column: string): string => rows[0][header.indexOf(column)];
  expect(cell('name')).toBe('to-export');
  expect(cell('status')).toBe('FINISHED');
  expect(cell('seed')).toBe('1');
  expect(cell('params.lr')).toBe('0.1');
  expect(cell('metrics.val/accuracy')).toBe('0.5');
});
