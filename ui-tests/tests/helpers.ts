import { IJupyterLabPageFixture } from '@jupyterlab/galata';

/** A code cell: its source, or its source and cell tags (e.g. `parameters`). */
export type CellSpec = string | { source: string; tags: string[] };

/**
 * Write a notebook with one code cell per entry of `cells` into the test's
 * folder and open it: its kernel starts with the notebook's final path (the
 * recorder finds the notebook from the path the kernel was started with).
 */
export async function openNotebook(
  page: IJupyterLabPageFixture,
  folder: string,
  name: string,
  cells: CellSpec[]
): Promise<void> {
  const notebook = {
    cells: cells.map((cell, index) => ({
      cell_type: 'code',
      execution_count: null,
      id: `cell-${index}`,
      metadata: typeof cell === 'string' ? {} : { tags: cell.tags },
      outputs: [],
      source: typeof cell === 'string' ? cell : cell.source
    })),
    metadata: {
      kernelspec: {
        display_name: 'Python 3 (ipykernel)',
        language: 'python',
        name: 'python3'
      }
    },
    nbformat: 4,
    nbformat_minor: 5
  };
  await page.contents.uploadContent(
    JSON.stringify(notebook),
    'text',
    `${folder}/${name}`
  );
  await page.notebook.openByPath(`${folder}/${name}`);
  await page.notebook.activate(name);
}

/**
 * Open a notebook as {@link openNotebook} does, run all its cells in its
 * kernel and wait for them to finish.
 */
export async function runNotebook(
  page: IJupyterLabPageFixture,
  folder: string,
  name: string,
  cells: CellSpec[]
): Promise<void> {
  await openNotebook(page, folder, name, cells);
  await page.notebook.run();
}

/**
 * Show the Experiments panel in the left sidebar (clicking its tab when it is
 * already shown would collapse the sidebar).
 */
export async function openPanel(page: IJupyterLabPageFixture) {
  const tab = page.getByRole('tab', { name: 'Experiments', exact: true });
  if ((await tab.getAttribute('aria-selected')) !== 'true') {
    await tab.click();
  }
  return page.locator('#jupyterlab-xp-panel');
}
