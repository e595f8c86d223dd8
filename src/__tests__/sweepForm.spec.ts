// Unit tests of the Sweep dialog's values: the rows pre-filled from a run, and the checks that mirror the server's.
import { describe, expect, it } from '@jest/globals';

import {
  buildSweepRequest,
  initialRow,
  initialSweepValues,
  ISweepFormValues,
  ISweepRow,
  rowSpec
} from '../models/sweepForm';

function row(patch: Partial<ISweepRow>): ISweepRow {
  return {
    name: 'lr',
    include: true,
    kind: 'uniform',
    low: '0',
    high: '1',
    choices: '',
    ...patch
  };
}

function values(patch: Partial<ISweepFormValues> = {}): ISweepFormValues {
  return {
    rows: [row({})],
    objective: 'val/accuracy',
    direction: 'maximize',
    trials: '2',
    sampler: 'tpe',
    pruner: 'hyperband',
    workers: '',
    ...patch
  };
}

describe('initialSweepValues', () => {
  it('pre-fills each parameter with a distribution around its value', () => {
    const start = initialSweepValues(
      { lr: 0.01, hidden: 64, opt: 'adam', shuffle: true, seed: 3, x: -2.5 },
      ['system/cpu', 'train/loss', 'val/loss']
    );
    expect(start.rows).toEqual([
      row({ name: 'hidden', kind: 'int', low: '32', high: '128' }),
      row({ name: 'lr', kind: 'loguniform', low: '0.001', high: '0.1' }),
      row({
        name: 'opt',
        include: false,
        kind: 'choice',
        low: '',
        high: '',
        choices: '"adam"'
      }),
      row({ name: 'seed', include: false, kind: 'int', low: '1', high: '6' }),
      row({
        name: 'shuffle',
        include: false,
        kind: 'choice',
        low: '',
        high: '',
        choices: 'True,False'
      }),
      row({ name: 'x', kind: 'uniform', low: '-5', high: '-1.25' })
    ]);
    // The first validation metric, and a loss is minimized
    expect([start.objective, start.direction]).toEqual([
      'val/loss',
      'minimize'
    ]);
    expect([start.trials, start.sampler, start.pruner, start.workers]).toEqual([
      '20',
      'tpe',
      'hyperband',
      ''
    ]);
  });

  it('pre-fills rows the server accepts as they are', () => {
    for (const value of [0.5, 1e-4, 3, 1, 0, -7, 0.0]) {
      const spec = rowSpec(initialRow('p', value));
      expect(spec).toMatch(/^p=(int|uniform|loguniform):/);
    }
  });
});

describe('buildSweepRequest', () => {
  it('sends the searched rows as the server’s NAME=KIND:ARGS texts', () => {
    const request = buildSweepRequest(
      'run-0',
      values({
        rows: [
          row({ name: 'lr', kind: 'loguniform', low: ' 1e-4', high: '1e-1 ' }),
          row({ name: 'hidden', kind: 'choice', choices: '32, 64,128' }),
          row({ name: 'layers', kind: 'int', low: '1', high: '4' }),
          row({ name: 'dropout', include: false })
        ],
        workers: '2',
        pruner: 'none'
      })
    );
    expect(request).toEqual({
      run_id: 'run-0',
      params: [
        'lr=loguniform:1e-4:1e-1',
        'hidden=choice:32,64,128',
        'layers=int:1:4'
      ],
      objective: 'val/accuracy',
      direction: 'maximize',
      trials: 2,
      sampler: 'tpe',
      pruner: 'none',
      workers: 2
    });
  });

  it.each([
    [
      { rows: [row({ include: false })] },
      'Choose at least one parameter to search.'
    ],
    [
      { rows: [row({ low: '1', high: '0' })] },
      'lr: bad range 1:0 (LOW must be below HIGH)'
    ],
    [
      { rows: [row({ low: '0.5', high: '0.5' })] },
      'lr: bad range 0.5:0.5 (LOW must be below HIGH)'
    ],
    [
      { rows: [row({ kind: 'loguniform', low: '0', high: '1' })] },
      'lr: bad range for loguniform, LOW must be above 0 (got 0)'
    ],
    [
      { rows: [row({ kind: 'int', low: '1.5', high: '4' })] },
      'lr: "1.5" is not an integer'
    ],
    [{ rows: [row({ low: 'abc' })] }, 'lr: "abc" is not a number'],
    [{ rows: [row({ high: '' })] }, 'lr: "" is not a number'],
    [
      { rows: [row({ high: 'Infinity' })] },
      'lr: bounds must be finite, got "Infinity"'
    ],
    [
      { rows: [row({ kind: 'choice', choices: ' , ' })] },
      'lr: choice needs at least one value'
    ],
    [
      { rows: [row({ kind: 'choice', choices: '[1],[2]' })] },
      'lr: choices must be numbers, strings, booleans or None'
    ],
    [
      { rows: [row({ kind: 'choice', choices: '\'adam\',"adam"' })] },
      'lr: choices must not repeat'
    ],
    [
      { rows: [row({ kind: 'choice', choices: 'adam,sgd,adam' })] },
      'lr: choices must not repeat'
    ],
    [
      { sampler: 'grid' as const },
      'the grid sampler needs choice or int parameters; lr is uniform'
    ],
    [{ objective: ' ' }, 'Choose the objective metric.'],
    [{ trials: '0' }, 'Trials must be a whole number from 1 to 10000.'],
    [{ trials: '2.5' }, 'Trials must be a whole number from 1 to 10000.'],
    [{ trials: '10001' }, 'Trials must be a whole number from 1 to 10000.'],
    [
      { workers: '65' },
      'Workers must be a whole number from 1 to 64, or empty.'
    ],
    [
      { workers: 'two' },
      'Workers must be a whole number from 1 to 64, or empty.'
    ]
  ])('refuses %j with one line', (patch, message) => {
    expect(buildSweepRequest('run-0', values(patch))).toBe(message);
  });

  it('lets the grid sampler search choices and ints, and keeps distinct choices', () => {
    const request = buildSweepRequest(
      'run-0',
      values({
        sampler: 'grid',
        rows: [
          row({
            name: 'opt',
            kind: 'choice',
            choices: "'adam','sgd',1,1.0,True,None"
          }),
          row({ name: 'layers', kind: 'int', low: '-1', high: '+2' })
        ]
      })
    );
    expect(typeof request === 'string' ? request : request.params).toEqual([
      "opt=choice:'adam','sgd',1,1.0,True,None",
      'layers=int:-1:+2'
    ]);
  });
});
