import { expect, test } from '@jupyterlab/galata';

test('the Experiments panel says what to do when the store is empty', async ({
  page
}, testInfo) => {
  // Given JupyterLab on a fresh xp store (see jupyter_server_test_config.py)
  const tab = page.getByRole('tab', { name: 'Experiments', exact: true });

  // When the Experiments tab in the left sidebar is clicked
  await tab.click();

  // Then the panel explains how to record a first run, and names the store
  const panel = page.locator('#jupyterlab-xp-panel');
  await expect(panel.getByText(/^No runs yet: run/)).toBeVisible();
  await expect(
    panel.getByText(/^Store: sqlite:\/\/\/\/.*mlflow\.db$/)
  ).toBeVisible();
  await expect(panel.getByRole('button', { name: 'Compare (0)' })).toBeDisabled();
  await page.screenshot({ path: testInfo.outputPath('panel-empty.png') });
});
