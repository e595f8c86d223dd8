// Notebook paths: the recorder stores the absolute, symlink-resolved path of
// a notebook; JupyterLab names documents by their path relative to the server
// root (`PageConfig.getOption('serverRoot')`).

function normalize(path: string): string {
  return path.replace(/\\/g, '/').replace(/\/+$/, '');
}

/**
 * The path of `absolute` relative to the server root, or `null` when it lies
 * outside it (then it cannot be opened in JupyterLab).
 */
export function relativeToRoot(
  absolute: string,
  serverRoot: string
): string | null {
  const path = normalize(absolute);
  const root = normalize(serverRoot);
  if (root.length === 0) {
    // The root is the file system root ('/'): every absolute path is inside.
    return path.startsWith('/') && path.length > 1 ? path.slice(1) : null;
  }
  if (path.startsWith(`${root}/`) && path.length > root.length + 1) {
    return path.slice(root.length + 1);
  }
  return null;
}

/** The absolute path of a document path relative to the server root. */
export function absoluteFromRoot(relative: string, serverRoot: string): string {
  return `${normalize(serverRoot)}/${relative.replace(/^\/+/, '')}`;
}

/**
 * Whether a recorded notebook path names the document at `relative`.
 *
 * Exact when the recorded path is the server root joined with `relative`;
 * otherwise the recorded path must end with `/` + `relative`, which still
 * matches when the server root is reached through a symlink (the recorder
 * resolves symlinks, the server root does not).
 */
export function isSameNotebook(
  recorded: string,
  relative: string,
  serverRoot: string
): boolean {
  const path = normalize(recorded);
  const rel = normalize(relative).replace(/^\/+/, '');
  if (rel.length === 0) {
    return false;
  }
  return path === absoluteFromRoot(rel, serverRoot) || path.endsWith(`/${rel}`);
}
