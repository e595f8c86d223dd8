import { expect, IJupyterLabPageFixture, test } from '@jupyterlab/galata';
import type { Locator } from '@playwright/test';
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

import { openPanel } from './helpers';

/**
 * The README's screenshots (docs/run-table.png, docs/panel.png,
 * docs/compare.png), taken from the real example
 * examples/seeds-and-significance.ipynb (two widths times five seeds of a
 * small MLP on digits) run to its end in this JupyterLab, not from fixtures,
 * and docs/sweep.png, a sweep of examples/digits.ipynb's recorded run.
 * Skipped unless `XP_SCREENSHOTS` names the folder to write them to, so
 * `make test` does not pay for the example:
 *
 *   cd ui-tests && XP_SCREENSHOTS=../docs npx playwright test screenshots
 */
const FOLDER = process.env.XP_SCREENSHOTS;

const EXAMPLES = path.resolve(__dirname, '..', '..', 'examples');
const EXAMPLE = path.join(EXAMPLES, 'seeds-and-significance.ipynb');
const SWEPT = path.join(EXAMPLES, 'digits.ipynb');

/** The CLI the sweep is started with (the one that serves this JupyterLab). */
const JUPYTER =
  process.env.JUPYTER ||
  path.resolve(__dirname, '..', '..', '.venv', 'bin', 'jupyter');

/** The example records ten runs; the first waits for MLflow's migrations. */
const RUN_TIMEOUT = 240000;
/** Six trials, two at a time, each a kernel replaying digits.ipynb. */
const SWEEP_TIMEOUT = 600000;
/**
 * The run list is shown beside a notebook at 1400 pixels; a run's detail and
 * the comparison fill a narrower window, so that the README, about 900
 * pixels wide, shows their text at nearly its size.
 */
const WIDTH = 1400;
const VIEW_WIDTH = 1100;

test.use({ viewport: { width: WIDTH, height: 900 } });

/**
 * Save the part of the page from `above` pixels over the top of `first` to a
 * little below the bottom of `last`, as wide as `frame` (a view's content
 * column). The viewport must be tall enough to show all of it.
 */
async function saveRegion(
  page: IJupyterLabPageFixture,
  file: string,
  frame: Locator,
  first: Locator,
  last: Locator,
  above = 0
): Promise<void> {
  const below = 8;
  const outer = (await frame.boundingBox())!;
  const top = (await first.boundingBox())!;
  const bottom = (await last.boundingBox())!;
  const y = Math.max(0, top.y - above);
  await page.screenshot({
    path: file,
    clip: {
      x: outer.x,
      y,
      width: outer.width,
      height: bottom.y + bottom.height + below - y
    }
  });
}

/** Show or hide the Experiments sidebar (its tab toggles it). */
async function toggleSidebar(page: IJupyterLabPageFixture): Promise<void> {
  await page.getByRole('tab', { name: 'Experiments', exact: true }).click();
}

test('README screenshots from the seeds-and-significance example', async ({
  page,
  tmpPath
}) => {
  test.skip(!FOLDER, 'XP_SCREENSHOTS names no folder');
  test.setTimeout(RUN_TIMEOUT + 120000);
  const shot = (name: string): string => path.resolve(FOLDER!, name);

  // Given the example, run in this JupyterLab's kernel to its last cell
  const name = path.basename(EXAMPLE);
  await page.contents.uploadContent(
    fs.readFileSync(EXAMPLE, 'utf-8'),
    'text',
    `${tmpPath}/${name}`
  );
  await page.notebook.openByPath(`${tmpPath}/${name}`);
  await page.notebook.activate(name);
  await page.notebook.run();
  await expect(page.locator('.jp-OutputArea-output').last()).toContainText(
    'runs as units',
    { timeout: RUN_TIMEOUT }
  );

  // When the panel, widened, lists its experiment as a table
  const panel = await openPanel(page);
  await panel
    .getByRole('combobox', { name: 'Experiment' })
    .selectOption('seeds-and-significance');
  await panel.getByRole('button', { name: 'Table', exact: true }).click();
  const boxes = panel.getByRole('checkbox', { name: /^Select width/ });
  await expect(boxes).toHaveCount(10, { timeout: 30000 });
  const handle = page
    .locator('#jp-main-split-panel > .lm-SplitPanel-handle')
    .first();
  const grip = (await handle.boundingBox())!;
  await page.mouse.move(grip.x + grip.width / 2, grip.y + 300);
  await page.mouse.down();
  await page.mouse.move(grip.x + 520, grip.y + 300, { steps: 10 });
  await page.mouse.up();

  // And shows width and the metrics, sorted by width, all ten runs ticked
  await panel.getByText(/^Columns \(\d+\)$/).click();
  const chooser = panel.locator('.jp-xp-ColumnChooser');
  const columns = ['width', 'test/accuracy', 'val/accuracy', 'train/loss'];
  for (const column of columns) {
    await chooser.getByRole('checkbox', { name: column, exact: true }).check();
  }
  await panel.getByText(`Columns (${columns.length})`).click(); // close it
  await panel.getByRole('columnheader', { name: /^width/ }).click();
  for (let i = 0; i < 10; i++) {
    await boxes.nth(i).check();
  }
  const rows = panel.locator('.jp-xp-RunTable-row');
  await expect(rows.first().locator('[title^="width: "]')).toHaveText('12');
  await expect(rows.last().locator('[title^="width: "]')).toHaveText('16');
  await expect(
    panel.getByRole('button', { name: 'Compare (10)' })
  ).toBeVisible();
  await saveRegion(page, shot('run-table.png'), panel, panel, rows.last());

  // And one run's detail is opened, full width
  await panel.getByRole('button', { name: 'width16-seed0', exact: true }).click();
  await toggleSidebar(page);
  await page.setViewportSize({ width: VIEW_WIDTH, height: 1300 });
  const detail = page.locator('.jp-xp-Detail:visible');
  const section = (view: Locator, title: string): Locator =>
    view.locator('section.jp-xp-Section', {
      has: page.locator('.jp-xp-Section-title', {
        hasText: new RegExp(`^${title}`)
      })
    });
  const metrics = section(detail, 'Metrics');
  await expect(metrics.getByRole('img')).toHaveCount(3, { timeout: 30000 });
  await saveRegion(page, shot('panel.png'), detail, detail, metrics);

  // And the ten runs are compared
  await toggleSidebar(page);
  await panel.getByRole('button', { name: 'Compare (10)' }).click();
  await toggleSidebar(page);
  await page.setViewportSize({ width: VIEW_WIDTH, height: 2600 });
  const compare = page.locator('.jp-xp-Compare');
  await expect(
    compare.getByRole('img', {
      name: /^train\/loss: 2 line\(s\), shaded bands: mean ± std/
    })
  ).toBeVisible({ timeout: 30000 });
  const groups = section(compare, 'Seed groups');
  await expect(
    groups.getByRole('table', { name: 'Paired tests' })
  ).toBeVisible();
  // (from the parameters down: the list of the ten runs would add little)
  await saveRegion(
    page,
    shot('compare.png'),
    compare,
    section(compare, 'Parameters'),
    groups,
    8
  );
});

test('README screenshot of a sweep over the digits example', async ({
  page,
  tmpPath
}) => {
  test.skip(!FOLDER, 'XP_SCREENSHOTS names no folder');
  test.setTimeout(RUN_TIMEOUT + SWEEP_TIMEOUT);
  const shot = path.resolve(FOLDER!, 'sweep.png');

  // Given examples/digits.ipynb recorded in this JupyterLab's kernel
  const name = path.basename(SWEPT);
  await page.contents.uploadContent(
    fs.readFileSync(SWEPT, 'utf-8'),
    'text',
    `${tmpPath}/${name}`
  );
  await page.notebook.openByPath(`${tmpPath}/${name}`);
  await page.notebook.activate(name);
  await page.notebook.run();
  const api = '/jupyterlab-xp/api/v1';
  let runId = '';
  await expect
    .poll(
      async () => {
        const body = await (await page.request.get(`${api}/runs`)).json();
        const run = body.runs.find(
          (r: { name: string; status: string }) =>
            r.name === 'digits-mlp' && r.status === 'FINISHED'
        );
        runId = run?.run_id ?? '';
        return runId;
      },
      { timeout: RUN_TIMEOUT }
    )
    .not.toBe('');

  // When six trials over the learning rate and the width are swept from it,
  // two at a time, by the CLI, into the store this JupyterLab serves
  const config = await (await page.request.get(`${api}/config`)).json();
  const args = [
    'xp',
    'sweep',
    runId,
    '--param',
    'learning_rate=loguniform:1e-4:1e-1',
    '--param',
    'hidden=choice:16,32,64,128',
    '--objective',
    'val/accuracy',
    '--direction',
    'maximize',
    '--trials',
    '6',
    '--workers',
    '2',
    '--pruner',
    'none',
    '--sampler-seed',
    '0',
    '--json'
  ];
  const out = await new Promise<string>((resolve, reject) => {
    execFile(
      JUPYTER,
      args,
      {
        env: { ...process.env, XP_HOME: config.home },
        timeout: SWEEP_TIMEOUT,
        maxBuffer: 16 * 1024 * 1024
      },
      (error, stdout, stderr) =>
        error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout)
    );
  });
  const sweep = JSON.parse(out.slice(out.indexOf('{')));
  expect(sweep.state).toBe('finished');

  // Then its tab, full width, shows the six trials and their parallel
  // coordinates
  await page.sidebar.close('left');
  await page.setViewportSize({ width: VIEW_WIDTH, height: 2400 });
  await page.evaluate(async sweepId => {
    await window.jupyterapp.commands.execute('jupyterlab-xp:open-sweep', {
      sweepId
    });
  }, sweep.run_id);
  const view = page.locator('.jp-xp-Sweep:visible');
  await view.getByRole('button', { name: 'Parallel coordinates' }).click();
  const chart = view.getByRole('img', { name: /^Parallel coordinates: / });
  await expect(chart).toHaveAttribute(
    'aria-label',
    /^Parallel coordinates: 6 complete trial\(s\) across 2 parameter\(s\)/,
    { timeout: 30000 }
  );
  const trials = view.getByRole('table', { name: 'Trials' });
  await expect(trials.getByText('complete', { exact: true })).toHaveCount(6);
  await saveRegion(page, shot, view, view, trials);
});
