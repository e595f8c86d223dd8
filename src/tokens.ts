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

/** Widget tracker namespaces of the main-area tabs (keys in the layout restorer). */
export const TrackerNamespaces = {
  run: 'jupyterlab-xp-run',
  compare: 'jupyterlab-xp-compare',
  notebooks: 'jupyterlab-xp-notebooks'
} as const;

/** The status-bar item that names the current notebook's running run. */
export const STATUS_ITEM_ID = 'jupyterlab-xp:recording-status';

/** Every command the extension registers. */
export const CommandIDs = {
  openPanel: 'jupyterlab-xp:open-panel',
  /** args: `{ runId: string }` */
  openRun: 'jupyterlab-xp:open-run',
  /** args: `{ ids: string[] }`, two or more run ids */
  openCompare: 'jupyterlab-xp:open-compare',
  /** Start or stop recording the current notebook (`%xp start` / `%xp stop`). */
  toggleRecording: 'jupyterlab-xp:toggle-recording'
} as const;

/** How often the live views ask the server for news, in milliseconds. */
export const POLL_INTERVAL = 2000;

/** The longest wait between polls while the server keeps failing, in milliseconds. */
export const POLL_MAX_INTERVAL = 30000;
