// Unit tests of a promoted run's per-cell verification rows: counts in class order, drift named, stored vs new for cells that differ.
import { describe, expect, it } from '@jest/globals';

import type { OutputCheck } from '../api/types';
import {
  cellRows,
  classSummary,
  orderLines
} from '../components/promote/cellVerdicts';

function outputs(): OutputCheck {
  return {
    compared: 3,
    matched: 2,
    mismatched: ['cell 3 (In [5])'],
    verified: false,
    classes: { differs: 1, identical: 1, 'same-values': 1 },
    cells: [
      {
        cell: 'cell 1 (In [1])',
        line: 'import numpy as np',
        class: 'identical'
      },
      {
        cell: 'cell 2 (In [2])',
        line: '%matplotlib inline',
        class: 'same-values',
        rules: ['figure-size', 'image-hash'],
        image_similarity: 0.93,
        stored: '<Figure size 432x288 with 1 Axes>',
        new: '<Figure size 640x480 with 1 Axes>'
      },
      {
        cell: 'cell 3 (In [5])',
        line: 'print(total)',
        class: 'differs',
        first_difference: { stored: '12.5', new: '13.0' },
        stored: 'total 12.5',
        new: 'total 13.0'
      }
    ]
  };
}

describe('cellRows', () => {
  it('gives one row per cell, naming the drift and showing stored vs new where it differs', () => {
    // Given a verification with an identical, a drifted and a differing cell
    const check = outputs();

    // When its rows are made
    const rows = cellRows(check);

    // Then each row carries its class and tone, drift is named, and only the
    // differing cell shows stored and new side by side
    expect(rows.map(r => [r.cell, r.cls, r.tone])).toEqual([
      ['cell 1 (In [1])', 'identical', 'ok'],
      ['cell 2 (In [2])', 'same-values', 'ok'],
      ['cell 3 (In [5])', 'differs', 'error']
    ]);
    expect(rows[1].detail).toBe(
      'figure-size; image-hash; image similarity 0.93'
    );
    expect(rows[1].sideBySide).toBeNull();
    expect(rows[2].detail).toBe('first difference: 12.5 → 13.0');
    expect(rows[2].sideBySide).toEqual({
      stored: 'total 12.5',
      new: 'total 13.0'
    });
  });

  it('counts the classes in their order and copes with a verification from before classes', () => {
    // Given the classes as the server sorted them, and an old verification
    const old: OutputCheck = { compared: 1, matched: 1, mismatched: [] };

    // Then the summary follows the class order and an old one has no rows
    expect(classSummary(outputs())).toBe(
      '1 identical, 1 same-values, 1 differs'
    );
    expect(cellRows(old)).toEqual([]);
    expect(classSummary(old)).toBe('');
  });
});

describe('cellRows for excused differences', () => {
  it('shows an environment cell with its rule and first difference, and an export muted', () => {
    // Given a cell whose printed Python version differs and a cell that exports the notebook
    const check: OutputCheck = {
      compared: 1,
      matched: 1,
      mismatched: [],
      verified: true,
      classes: { environment: 1, 'notebook-export': 1 },
      cells: [
        {
          cell: 'cell 1 (In [1])',
          line: 'print(sys.version)',
          class: 'environment',
          rules: ['python-version'],
          first_difference: { stored: '3.9.6', new: '3.11.7' }
        },
        {
          cell: 'cell 9 (In [9])',
          line: '!jupyter nbconvert --to script analysis.ipynb',
          class: 'notebook-export',
          note: 'exports the notebook’s own file'
        }
      ]
    };

    // When its rows are made
    const rows = cellRows(check);

    // Then the environment cell is info with its rule and what changed, the export muted
    expect(rows.map(r => [r.cls, r.tone])).toEqual([
      ['environment', 'info'],
      ['notebook-export', 'muted']
    ]);
    expect(rows[0].detail).toBe(
      'python-version; first difference: 3.9.6 → 3.11.7'
    );
    expect(rows[0].sideBySide).toBeNull();
    expect(classSummary(check)).toBe('1 environment, 1 notebook-export');
  });
});

describe('orderLines', () => {
  it('lists the auto order’s repairs, the sessions note and the cells left out', () => {
    // Given an auto order that moved a definition and left a scratch cell out
    const order = {
      order: 'auto',
      cells: [1, 5, 3],
      steps: ['moved cell 5 (In [7]) before cell 3 (In [5])'],
      sessions: null,
      left_out: ['cell 6: no execution count'],
      attempts: 1
    };

    // Then each is one line, and a plain order has none
    expect(orderLines(order)).toEqual([
      'moved cell 5 (In [7]) before cell 3 (In [5])',
      'left out: cell 6: no execution count'
    ]);
    expect(orderLines(null)).toEqual([]);
    expect(orderLines({ order: 'recorded' })).toEqual([]);
  });
});
