// Identifiers shared by the plugin, the panel and the REST client, in one place.

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
  promotions: 'jupyterlab-xp-promotions',
  sweep: 'jupyterlab-xp-sweep',
  sweeps: 'jupyterlab-xp-sweeps',
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
  toggleRecording: 'jupyterlab-xp:toggle-recording',
  /**
   * Open the Promote dialog. args: `{ runId: string }` or `{ notebook: string }`
   * (a path relative to the server root); none: the current notebook.
   */
  promote: 'jupyterlab-xp:promote',
  /** Every promotion job, newest first, with its progress. */
  openPromotions: 'jupyterlab-xp:open-promotions',
  /** Open the Sweep dialog for a run. args: `{ runId: string, label?: string }` */
  sweep: 'jupyterlab-xp:sweep',
  /** Open a sweep's view. args: `{ sweepId: string }`, its parent run id */
  openSweep: 'jupyterlab-xp:open-sweep',
  /** Every sweep, newest first. */
  openSweeps: 'jupyterlab-xp:open-sweeps'
} as const;

/** How often the live views ask the server for news, in milliseconds. */
export const POLL_INTERVAL = 2000;

/**
 * How often a view with a queued or running promotion asks for its progress,
 * in milliseconds: cells take seconds, so the progress bar should move with
 * them.
 */
export const PROMOTION_POLL_INTERVAL = 1000;

/**
 * How often a running sweep's view asks for its trials, in milliseconds: a
 * trial takes seconds to hours, and each answer costs the server Optuna's
 * parameter importance (0.8 s at 100 trials on the build machine).
 */
export const SWEEP_POLL_INTERVAL = 5000;

/** The longest wait between polls while the server keeps failing, in milliseconds. */
export const POLL_MAX_INTERVAL = 30000;
