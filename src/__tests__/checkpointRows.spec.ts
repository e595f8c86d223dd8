// Unit tests of the run detail's Checkpoints section: its rows and the load line each copies.
import { describe, expect, it } from '@jest/globals';

import type { CheckpointEntry } from '../api/types';
import {
  checkpointRows,
  formatBytes,
  loadLine
} from '../components/runDetail/checkpointRows';
import { detail } from './bodies';

function entry(patch: Partial<CheckpointEntry> = {}): CheckpointEntry {
  return {
    name: 'mlp',
    version: 1,
    step: 5,
    size: 37_626,
    sha256: 'ab'.repeat(32),
    path: 'checkpoints/mlp/1/20261202T051023666099Z',
    timestamp: '20261202T051023666099Z',
    ...patch
  };
}

describe('checkpointRows', () => {
  it('lists checkpoints newest first with their load line', () => {
    // Given a run with two versions of one checkpoint, the second without a step
    const run = detail({
      run_id: '3f2a9c',
      checkpoints: [entry(), entry({ version: 2, step: null, size: 512 })]
    });

    // When its rows are made
    const rows = checkpointRows(run.run_id, run.checkpoints);

    // Then the newest comes first, sizes and checksums are short, and each
    // row carries the line that loads exactly that version
    expect(rows).toEqual([
      {
        key: 'mlp:2',
        name: 'mlp',
        version: 2,
        step: '—',
        size: '512 B',
        sha256: 'abababababab',
        loadLine: 'xp.load_checkpoint("3f2a9c:mlp:2")'
      },
      {
        key: 'mlp:1',
        name: 'mlp',
        version: 1,
        step: '5',
        size: '37.6 kB',
        sha256: 'abababababab',
        loadLine: 'xp.load_checkpoint("3f2a9c:mlp:1")'
      }
    ]);
  });

  it('has no rows for a run without checkpoints (or a body from before them)', () => {
    expect(checkpointRows('abc', [])).toEqual([]);
    expect(checkpointRows('abc', undefined)).toEqual([]);
  });

  it('never puts a name from the store into code unless it is a plain name', () => {
    // Given names that would break out of the string
    const hostile = entry({ name: 'x")\nimport os' });

    // Then the line holds a placeholder instead
    expect(loadLine('abc', hostile)).toBe('xp.load_checkpoint("abc:<name>:1")');
    expect(loadLine('a"b', entry())).toBe('xp.load_checkpoint("<run>:mlp:1")');
  });

  it('formats sizes in powers of 1000', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(999)).toBe('999 B');
    expect(formatBytes(1000)).toBe('1.0 kB');
    expect(formatBytes(4_200_000)).toBe('4.2 MB');
    expect(formatBytes(3e12)).toBe('3.0 TB');
  });
});
