// Unit tests of the grouped curves: each seed group's mean line, its band (std or interval), and its runs.
import { describe, expect, it } from '@jest/globals';

import type { CompareCurves } from '../api/types';
import {
  bandBounds,
  bandPath,
  groupSeries,
  unevenSteps
} from '../components/compare/bands';

/** Two groups: lr=0.1 (three runs, one stopped after step 1), lr=0.2 (one run). */
const CURVES: CompareCurves = {
  key: 'val/loss',
  confidence: 0.95,
  groups: [
    {
      label: 'lr=0.1',
      run_ids: ['a', 'b', 'c'],
      points: [
        { step: 0, n: 3, mean: 1, std: 0.1, ci_low: 0.75, ci_high: 1.25 },
        { step: 1, n: 3, mean: 0.5, std: 0.2, ci_low: 0.0, ci_high: 1.0 },
        { step: 2, n: 2, mean: 0.4, std: 0.1, ci_low: -0.5, ci_high: 1.3 }
      ],
      runs: [
        {
          run_id: 'a',
          points: [
            { step: 0, value: 1.1 },
            { step: 1, value: null }
          ]
        },
        { run_id: 'b', points: [{ step: 0, value: 0.9 }] },
        { run_id: 'c', points: [{ step: 0, value: 1.0 }] }
      ]
    },
    {
      label: 'lr=0.2',
      run_ids: ['d'],
      points: [
        { step: 0, n: 1, mean: 2, std: null, ci_low: null, ci_high: null }
      ],
      runs: [{ run_id: 'd', points: [{ step: 0, value: 2 }] }]
    }
  ]
};

describe('bandBounds', () => {
  it('is mean ± std, or the interval; a point with one run has no spread', () => {
    const [first] = CURVES.groups[0].points;
    expect(bandBounds(first, 'std')).toEqual({ step: 0, low: 0.9, high: 1.1 });
    expect(bandBounds(first, 'ci')).toEqual({
      step: 0,
      low: 0.75,
      high: 1.25
    });
    const single = CURVES.groups[1].points[0];
    expect(bandBounds(single, 'std')).toEqual({ step: 0, low: 2, high: 2 });
    expect(bandBounds(single, 'ci')).toEqual({ step: 0, low: 2, high: 2 });
  });
});

describe('groupSeries', () => {
  it('draws one mean line with its band per group, not one line per run', () => {
    // When the curves are drawn with the std band and without the runs
    const series = groupSeries(CURVES, 'std', false);
    // Then there is one series per group, colored by group, named with its size
    expect(series.map(s => [s.label, s.color, s.faint])).toEqual([
      ['lr=0.1 (3 runs)', 0, undefined],
      ['lr=0.2 (1 run)', 1, undefined]
    ]);
    expect(series[0].points).toEqual([
      { step: 0, value: 1 },
      { step: 1, value: 0.5 },
      { step: 2, value: 0.4 }
    ]);
    // ...and a group of one run has no band
    expect(series[1].band).toBeUndefined();
    expect(series[0].band?.map(b => [b.low, b.high])).toEqual([
      [0.9, 1.1],
      [0.3, 0.7],
      [expect.closeTo(0.3, 10), 0.5]
    ]);
  });

  it('switches the band to the interval, and adds faint runs beneath the means', () => {
    // When the interval band and the individual runs are asked for
    const series = groupSeries(CURVES, 'ci', true);
    // Then each run is a faint line in its group's color, drawn first
    expect(series.map(s => [s.label, s.color, s.faint === true])).toEqual([
      ['a', 0, true],
      ['b', 0, true],
      ['c', 0, true],
      ['d', 1, true],
      ['lr=0.1 (3 runs)', 0, false],
      ['lr=0.2 (1 run)', 1, false]
    ]);
    // ...a run's NaN (null) is a gap, not a zero
    expect(series[0].points).toEqual([{ step: 0, value: 1.1 }]);
    // ...and the band is the interval
    expect(series[4].band?.[2]).toEqual({ step: 2, low: -0.5, high: 1.3 });
  });
});

describe('bandPath', () => {
  it('runs along the upper bounds and back along the lower ones, closed', () => {
    const x = (step: number): number => step * 10;
    const y = (value: number): number => 100 - value * 10;
    const path = bandPath(
      [
        { step: 0, low: 1, high: 3 },
        { step: 1, low: 2, high: 5 }
      ],
      x,
      y
    );
    expect(path).toBe('M0.0,70.0 L10.0,50.0 L10.0,80.0 L0.0,90.0 Z');
    expect(bandPath([], x, y)).toBe('');
  });
});

describe('unevenSteps', () => {
  it('says how many runs stand behind a point where a group logged different steps', () => {
    expect(unevenSteps(CURVES)).toEqual([2, 3]);
    const even: CompareCurves = { ...CURVES, groups: [CURVES.groups[1]] };
    expect(unevenSteps(even)).toBeNull();
  });
});
