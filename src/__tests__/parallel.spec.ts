// Unit tests of the parallel-coordinates geometry: linear, log and categorical axes, and each trial's polyline.
import { describe, expect, it } from '@jest/globals';

import {
  AXIS_GAP,
  HEIGHT,
  PAD,
  parallelLayout,
  paramAxis,
  placeOnAxis,
  polylinePoints
} from '../components/sweep/parallel';
import { sweepDetail, trial } from './sweepBodies';

/** The heights of an axis' bottom and top. */
const BOTTOM = HEIGHT - PAD.bottom;
const TOP = PAD.top;
const SPAN = BOTTOM - TOP;

describe('axes', () => {
  it('places a uniform parameter linearly between its bounds', () => {
    const axis = paramAxis(
      { name: 'dropout', kind: 'uniform', low: 0, high: 0.5, choices: [] },
      10,
      []
    );
    expect(axis.scale).toBe('linear');
    expect(placeOnAxis(axis, 0)).toBe(BOTTOM);
    expect(placeOnAxis(axis, 0.5)).toBe(TOP);
    expect(placeOnAxis(axis, 0.125)).toBeCloseTo(BOTTOM - SPAN / 4);
    expect(axis.ticks.map(t => [t.y, t.label])).toEqual([
      [BOTTOM, '0'],
      [TOP, '0.5']
    ]);
  });

  it('places a loguniform parameter by its logarithm: each decade is the same height', () => {
    const axis = paramAxis(
      { name: 'lr', kind: 'loguniform', low: 1e-4, high: 1e-1, choices: [] },
      10,
      []
    );
    expect(axis.scale).toBe('log');
    expect(placeOnAxis(axis, 1e-4)).toBeCloseTo(BOTTOM);
    expect(placeOnAxis(axis, 1e-3)).toBeCloseTo(BOTTOM - SPAN / 3);
    expect(placeOnAxis(axis, 1e-2)).toBeCloseTo(BOTTOM - (2 * SPAN) / 3);
    expect(placeOnAxis(axis, 1e-1)).toBeCloseTo(TOP);
    // sqrt(1e-4 * 1e-2) = 1e-3: the geometric mean sits half-way up the first two decades
    expect(placeOnAxis(axis, Math.sqrt(1e-4 * 1e-2))).toBeCloseTo(
      BOTTOM - SPAN / 3
    );
    expect(placeOnAxis(axis, 0)).toBeNull();
    expect(placeOnAxis(axis, -1)).toBeNull();
  });

  it('spreads a choice parameter’s categories evenly, in their order', () => {
    const axis = paramAxis(
      {
        name: 'opt',
        kind: 'choice',
        low: null,
        high: null,
        choices: ['adam', 'sgd', true, null]
      },
      10,
      []
    );
    expect(axis.scale).toBe('category');
    expect(['adam', 'sgd', true, null].map(v => placeOnAxis(axis, v))).toEqual([
      BOTTOM,
      BOTTOM - SPAN / 3,
      BOTTOM - (2 * SPAN) / 3,
      TOP
    ]);
    expect(axis.ticks.map(t => t.label)).toEqual([
      'adam',
      'sgd',
      'True',
      'None'
    ]);
    expect(placeOnAxis(axis, 'rmsprop')).toBeNull();
    // One category sits in the middle
    const single = paramAxis(
      { name: 'opt', kind: 'choice', low: null, high: null, choices: [64] },
      10,
      []
    );
    expect(placeOnAxis(single, 64)).toBe(BOTTOM - SPAN / 2);
  });

  it('widens an axis to values seen outside its bounds, and a one-value axis around it', () => {
    const axis = paramAxis(
      { name: 'x', kind: 'int', low: 1, high: 4, choices: [] },
      10,
      [6]
    );
    expect([axis.low, axis.high]).toEqual([1, 6]);
    const flat = paramAxis(
      { name: 'score', kind: 'uniform', low: null, high: null, choices: [] },
      10,
      [2, 2]
    );
    expect([flat.low, flat.high]).toEqual([1.9, 2.1]);
    expect(placeOnAxis(flat, 2)).toBeCloseTo(BOTTOM - SPAN / 2);
  });
});

describe('parallelLayout', () => {
  const sweep = sweepDetail({
    trials: [
      trial({
        number: 0,
        params: { lr: 1e-3, hidden: 32, dropout: 0 },
        value: 0.6
      }),
      trial({
        number: 1,
        params: { lr: 1e-1, hidden: 128, dropout: 0.5 },
        value: 0.9
      }),
      trial({
        number: 2,
        state: 'PRUNED',
        params: { lr: 1e-2, hidden: 64, dropout: 0.1 },
        value: 0.2
      }),
      trial({
        number: 3,
        state: 'RUNNING',
        params: { lr: 1e-2, hidden: 64, dropout: 0.1 },
        value: null
      }),
      trial({
        number: 4,
        params: { lr: 1e-4, hidden: 64, dropout: 0.25 },
        value: 0.7
      })
    ]
  });

  it('has an axis per parameter, in the space’s order, and the objective last', () => {
    const layout = parallelLayout(sweep);
    expect(layout.axes.map(a => [a.name, a.scale, a.x])).toEqual([
      ['lr', 'log', PAD.left],
      ['hidden', 'category', PAD.left + AXIS_GAP],
      ['dropout', 'linear', PAD.left + 2 * AXIS_GAP],
      ['val/accuracy', 'linear', PAD.left + 3 * AXIS_GAP]
    ]);
    expect(layout.width).toBe(PAD.left + 3 * AXIS_GAP + PAD.right);
    // The objective axis spans the complete trials' values
    const objective = layout.axes[3];
    expect([objective.low, objective.high]).toEqual([0.6, 0.9]);
  });

  it('draws one polyline per complete trial, best on top, shaded by the objective', () => {
    const layout = parallelLayout(sweep);
    expect(layout.lines.map(l => [l.number, l.shade])).toEqual([
      [0, 0],
      [4, expect.closeTo(1 / 3, 10)],
      [1, 1]
    ]);
    const best = layout.lines[2];
    expect(best.runId).toBe('trial-run-0');
    const [x0, x1, x2, x3] = layout.axes.map(a => a.x);
    // lr 1e-1 and dropout 0.5 at the top, hidden 128 the last category, 0.9 the top objective
    expect(best.points).toEqual([
      [x0, expect.closeTo(TOP, 10)],
      [x1, TOP],
      [x2, TOP],
      [x3, TOP]
    ]);
    const worst = layout.lines[0];
    expect(worst.points).toEqual([
      [x0, expect.closeTo(BOTTOM - SPAN / 3, 10)],
      [x1, BOTTOM],
      [x2, BOTTOM],
      [x3, BOTTOM]
    ]);
    expect(polylinePoints(worst.points)).toBe(
      `${x0}.0,${(BOTTOM - SPAN / 3).toFixed(1)} ${x1}.0,${BOTTOM}.0 ${x2}.0,${BOTTOM}.0 ${x3}.0,${BOTTOM}.0`
    );
  });

  it('shades the smallest objective best when minimizing', () => {
    const layout = parallelLayout({ ...sweep, direction: 'minimize' });
    expect(layout.lines.map(l => [l.number, l.shade])).toEqual([
      [1, 0],
      [4, expect.closeTo(2 / 3, 10)],
      [0, 1]
    ]);
  });

  it('adds a category the space does not list (the study changed) rather than drop its trial', () => {
    const layout = parallelLayout(
      sweepDetail({
        trials: [
          trial({ number: 0, params: { lr: 1e-3, hidden: 256, dropout: 0.1 } })
        ]
      })
    );
    expect(layout.axes[1].ticks.map(t => t.label)).toEqual([
      '32',
      '64',
      '128',
      '256'
    ]);
    expect(layout.lines).toHaveLength(1);
    expect(layout.lines[0].shade).toBe(1);
  });

  it('leaves out a trial missing a parameter of the space', () => {
    const layout = parallelLayout(
      sweepDetail({ trials: [trial({ params: { lr: 1e-3, hidden: 64 } })] })
    );
    expect(layout.lines).toEqual([]);
  });
});
