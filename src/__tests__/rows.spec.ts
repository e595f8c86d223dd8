// Unit tests of the run list's rows: grouping by experiment or notebook, collapsed groups.
import { describe, expect, it } from '@jest/globals';

import { buildRows } from '../components/runList/rows';
import { summary } from './bodies';

const RUNS = [
  summary({ run_id: 'a', experiment: 'mnist', notebook: '/w/a.ipynb' }),
  summary({ run_id: 'b', experiment: 'cifar', notebook: null }),
  summary({ run_id: 'c', experiment: 'mnist', notebook: '/w/a.ipynb' })
];

/** The rows as short strings: `group:<label>(<count>)` or the run id. */
function shape(rows: ReturnType<typeof buildRows>): string[] {
  return rows.map(row =>
    row.kind === 'group'
      ? `${row.collapsed ? '+' : '-'}${row.label}(${row.count})`
      : row.run.run_id
  );
}

describe('buildRows', () => {
  it('lists the runs as they are without grouping', () => {
    expect(shape(buildRows(RUNS, 'none', new Set()))).toEqual(['a', 'b', 'c']);
  });

  it('groups by experiment, in the order the groups first appear', () => {
    expect(shape(buildRows(RUNS, 'experiment', new Set()))).toEqual([
      '-mnist(2)',
      'a',
      'c',
      '-cifar(1)',
      'b'
    ]);
  });

  it('groups by notebook, naming runs that are not from one', () => {
    expect(shape(buildRows(RUNS, 'notebook', new Set()))).toEqual([
      '-/w/a.ipynb(2)',
      'a',
      'c',
      '-(not from a notebook)(1)',
      'b'
    ]);
  });

  it('hides the runs of a collapsed group, keeping its header and count', () => {
    expect(shape(buildRows(RUNS, 'experiment', new Set(['mnist'])))).toEqual([
      '+mnist(2)',
      '-cifar(1)',
      'b'
    ]);
  });
});
