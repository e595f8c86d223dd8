// A run's checkpoints as the run detail's table shows them, and the line that loads each one.
import type { CheckpointEntry } from '../../models/types';

/** One row of the Checkpoints table. */
export interface ICheckpointRow {
  key: string;
  name: string;
  version: number;
  step: string;
  size: string;
  sha256: string;
  loadLine: string;
}

/** `12.3 kB`, `4.0 MB`, `512 B`: sizes as people read them (powers of 1000). */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) {
    return `${bytes} B`;
  }
  const units = ['kB', 'MB', 'GB', 'TB'];
  let value = bytes / 1000;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

/**
 * `xp.load_checkpoint("<run>:<name>:<version>")`: what a notebook runs to
 * resume from it. The run id and name come from the store, so they are
 * checked to be plain ids and names before they are put in code.
 */
export function loadLine(runId: string, entry: CheckpointEntry): string {
  const plain = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
  const run = plain.test(runId) ? runId : '<run>';
  const name = plain.test(entry.name) ? entry.name : '<name>';
  return `xp.load_checkpoint("${run}:${name}:${entry.version}")`;
}

/** The table's rows, newest first. */
export function checkpointRows(
  runId: string,
  checkpoints: readonly CheckpointEntry[] | undefined
): ICheckpointRow[] {
  return [...(checkpoints ?? [])].reverse().map(entry => ({
    key: `${entry.name}:${entry.version}`,
    name: entry.name,
    version: entry.version,
    step: entry.step === null ? '—' : String(entry.step),
    size: formatBytes(entry.size),
    sha256: entry.sha256.slice(0, 12),
    loadLine: loadLine(runId, entry)
  }));
}
