import { expect, test } from '@jupyterlab/galata';

test('the Experiments sidebar panel opens', async ({ page }, testInfo) => {
  // Given JupyterLab with the extension installed
  const tab = page.getByRole('tab', { name: 'Experiments', exact: true });

  // When the Experiments tab in the left sidebar is clicked
  await tab.click();

  // Then the panel shows its heading and the store the server extension reads
  const panel = page.locator('#jupyterlab-xp-panel');
  await expect(
    panel.getByRole('heading', { name: 'jupyterlab-xp' })
  ).toBeVisible();
  await expect(panel.getByText(/^Store: sqlite:\/\/\/\/.*mlflow\.db$/)).toBeVisible();
  await page.screenshot({ path: testInfo.outputPath('panel.png') });
});
