/**
 * Identifiers shared by the plugin, the panel and the REST client, in one place.
 */

/** The npm package name, also the REST namespace on the Jupyter server. */
export const NAMESPACE = 'jupyterlab-xp';

/** Path segments under the server's base URL: `/jupyterlab-xp/api/v1/`. */
export const API_PATH = [NAMESPACE, 'api', 'v1'] as const;

export const PLUGIN_ID = 'jupyterlab-xp:plugin';

/** DOM id of the left-sidebar panel (also its key in the layout restorer). */
export const PANEL_ID = 'jupyterlab-xp-panel';

/** Every command the extension registers. */
export const CommandIDs = {
  openPanel: 'jupyterlab-xp:open-panel'
} as const;
