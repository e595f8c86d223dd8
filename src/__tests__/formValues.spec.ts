// Unit tests of the Promote form's values: what it starts from, the request it sends, the type hints.
import { describe, expect, it } from '@jest/globals';

import type { PlanCode, PromotePlan } from '../api/types';
import { JSONText, toJSONBody } from '../api/client';
import {
  buildRequest,
  initialValues,
  parseParam,
  pythonType
} from '../models/promoteForm';

/** The code one order runs, named by its digest. */
function code(sha256: string): PlanCode {
  return { cells: [], total_cells: 4, omitted_cells: 0, sha256 };
}

/** The plan of a recorded run with two parameters. */
const PLAN: PromotePlan = {
  cells: { recorded: 4, notebook: 5 },
  code: { recorded: code('a'.repeat(64)), notebook: code('b'.repeat(64)) },
  default_order: 'recorded',
  name: 'promo',
  notebook: '/home/me/promo.ipynb',
  notes: [],
  order_verdict: { linear: true, reasons: [] },
  orders: ['recorded', 'notebook'],
  params: { lr: 1.0, name: 'base' },
  provenance: {
    code_from: 'journal',
    experiment: 'promo',
    host: 'box',
    notebook: '/home/me/promo.ipynb',
    recorded: 1_700_000_000_000,
    run_id: 'abc',
    user: 'me'
  },
  run_id: 'abc',
  seed: 3
};

describe('initialValues', () => {
  it('starts from the plan: each parameter as JSON, its seed and order', () => {
    expect(initialValues(PLAN)).toEqual({
      params: { lr: '1', name: '"base"' },
      seeds: '3',
      order: 'recorded',
      cellTimeout: '600',
      tolerance: '',
      env: 'today'
    });
    expect(initialValues({ ...PLAN, seed: null }).seeds).toBe('');
  });
});

describe('buildRequest', () => {
  it('sends the edited parameters only, as typed', () => {
    const values = initialValues(PLAN);
    const request = buildRequest(
      PLAN,
      { runId: 'abc' },
      {
        ...values,
        params: { ...values.params, lr: '2.0' },
        seeds: ' 0, 1 ,2,',
        order: 'notebook',
        tolerance: '1e-3'
      }
    );
    expect(typeof request).not.toBe('string');
    expect(toJSONBody(request)).toBe(
      `{"run_id":"abc","params":{"lr":2.0},"seeds":[0,1,2],"order":"notebook","cell_timeout":600,"tolerance":0.001,"code_sha256":"${'b'.repeat(64)}"}`
    );
  });

  it('sends the digest of the code shown for the chosen order, if any', () => {
    const values = initialValues(PLAN);
    expect(buildRequest(PLAN, { runId: 'abc' }, values)).toMatchObject({
      code_sha256: 'a'.repeat(64)
    });
    const unlisted = { ...PLAN, code: {} };
    expect(buildRequest(unlisted, { runId: 'abc' }, values)).toMatchObject({
      code_sha256: null
    });
  });

  it('promotes the run a notebook’s plan names, else the notebook', () => {
    const values = initialValues(PLAN);
    expect(
      buildRequest(PLAN, { notebook: 'promo.ipynb' }, values)
    ).toMatchObject({ run_id: 'abc' });
    const notebookPlan = { ...PLAN, run_id: null };
    const request = buildRequest(
      notebookPlan,
      { notebook: 'promo.ipynb' },
      initialValues(notebookPlan)
    );
    expect(request).toMatchObject({ notebook: 'promo.ipynb' });
    expect(request).not.toHaveProperty('run_id');
  });

  it('leaves empty numbers to the server', () => {
    const values = { ...initialValues(PLAN), cellTimeout: ' ' };
    expect(buildRequest(PLAN, { runId: 'abc' }, values)).toMatchObject({
      cell_timeout: null,
      tolerance: null
    });
  });

  it('says what to fix when seeds or numbers are not numbers', () => {
    const values = initialValues(PLAN);
    expect(
      buildRequest(PLAN, { runId: 'abc' }, { ...values, seeds: '1, two' })
    ).toBe('Seeds must be whole numbers separated by commas, not "two".');
    expect(
      buildRequest(PLAN, { runId: 'abc' }, { ...values, seeds: '1.5' })
    ).toBe('Seeds must be whole numbers separated by commas, not "1.5".');
    expect(
      buildRequest(PLAN, { runId: 'abc' }, { ...values, cellTimeout: '10 s' })
    ).toBe('The cell timeout must be a number of seconds.');
    expect(
      buildRequest(PLAN, { runId: 'abc' }, { ...values, tolerance: 'tiny' })
    ).toBe('The tolerance must be a number, such as 1e-6.');
  });
});

describe('parseParam', () => {
  it('keeps JSON text verbatim and sends other text as a string', () => {
    expect(parseParam('1.0')).toEqual(new JSONText('1.0'));
    expect(parseParam('[1, 2]')).toEqual(new JSONText('[1, 2]'));
    expect(parseParam('adam')).toBe('adam');
  });
});

describe('pythonType', () => {
  it('names the Python type the text gives', () => {
    expect(pythonType('1.0', true)).toBe('float');
    expect(pythonType('1e-3', true)).toBe('float');
    expect(pythonType('1', true)).toBe('int');
    expect(pythonType('1', false)).toBe('number');
    expect(pythonType('true', true)).toBe('bool');
    expect(pythonType('null', true)).toBe('None');
    expect(pythonType('[1]', true)).toBe('list');
    expect(pythonType('{"a": 1}', true)).toBe('dict');
    expect(pythonType('"x"', true)).toBe('str');
    expect(pythonType('adam', true)).toBe('str');
  });
});

describe('buildRequest with the recorded environment', () => {
  it('asks for the recorded lock and names the code and its pins by their digest', () => {
    // Given a plan whose source has a recorded lock
    const plan: PromotePlan = {
      ...PLAN,
      recorded_env: {
        lock: { differed: 1, pins: 2, python: '3.11.9' },
        pins: ['numpy==1.26.4', 'scipy==1.13.1'],
        sha256: { recorded: 'c'.repeat(64), notebook: 'd'.repeat(64) }
      }
    };

    // When the user picks the recorded environment and the notebook order
    const request = buildRequest(
      plan,
      { runId: 'abc' },
      { ...initialValues(plan), env: 'recorded', order: 'notebook' }
    );

    // Then the request says so, with the digest of that order's code and pins
    expect(request).toMatchObject({
      env: 'recorded',
      order: 'notebook',
      code_sha256: 'd'.repeat(64)
    });

    // ...and without a recorded lock there is nothing to ask for
    expect(
      buildRequest(
        PLAN,
        { runId: 'abc' },
        { ...initialValues(PLAN), env: 'recorded' }
      )
    ).toBe('The source has no recorded lock to install.');
  });
});
