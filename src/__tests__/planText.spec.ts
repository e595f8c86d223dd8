// Unit tests of what the Promote dialog says about the plan: provenance, working folder, the code listing's notes.
import { describe, expect, it } from '@jest/globals';

import type { PlanCell, PlanCode, PromotePlan, Provenance } from '../api/types';
import {
  codeFrom,
  codeNotes,
  codeTitle,
  recordedBy,
  runsIn
} from '../components/promote/planText';
import { formatTime } from '../format';

const PROVENANCE: Provenance = {
  code_from: 'store',
  experiment: 'promo',
  host: 'gpu-box-3',
  notebook: '/home/alice/promo.ipynb',
  recorded: 1_700_000_000_000,
  run_id: 'abc',
  user: 'alice'
};

function cell(patch: Partial<PlanCell> = {}): PlanCell {
  return {
    label: 'seq 1',
    source: 'x = 1',
    parameters: false,
    hidden_chars: 0,
    omitted_chars: 0,
    ...patch
  };
}

function code(cells: PlanCell[], omitted = 0): PlanCode {
  return {
    cells,
    total_cells: cells.length + omitted,
    omitted_cells: omitted,
    sha256: '0'.repeat(64)
  };
}

describe('recordedBy', () => {
  it('says who, on which host and when, leaving out what the run does not say', () => {
    const when = formatTime(1_700_000_000_000);
    expect(recordedBy(PROVENANCE)).toBe(`by alice on gpu-box-3, ${when}`);
    expect(recordedBy({ ...PROVENANCE, user: null })).toBe(
      `on gpu-box-3, ${when}`
    );
    expect(recordedBy({ ...PROVENANCE, recorded: null })).toBe(
      'by alice on gpu-box-3'
    );
    expect(
      recordedBy({ ...PROVENANCE, user: null, host: null, recorded: null })
    ).toBeNull();
  });
});

describe('codeFrom and runsIn', () => {
  it('says where the code comes from and where the job runs', () => {
    expect(codeFrom(PROVENANCE)).toMatch(/^the store’s copy/);
    expect(codeFrom({ ...PROVENANCE, code_from: 'journal' })).toMatch(
      /exact code/
    );
    const plan = { notebook: '/srv/team/promo.ipynb' } as PromotePlan;
    expect(runsIn(plan)).toBe('/srv/team (the notebook’s folder)');
    expect(runsIn({ ...plan, notebook: null })).toBe(
      'a fresh folder (the bundle’s)'
    );
  });
});

describe('codeTitle and codeNotes', () => {
  it('counts the cells and says nothing when all of the code is shown as it is', () => {
    expect(codeTitle(code([cell()]))).toBe('Code that will run (1 cell)');
    expect(codeTitle(code([cell(), cell()], 3))).toBe(
      'Code that will run (5 cells)'
    );
    expect(codeTitle(undefined)).toBe('Code that will run');
    expect(codeNotes(code([cell()]))).toEqual([]);
  });

  it('says what was escaped, cut short or left out, and where to read it all', () => {
    const notes = codeNotes(
      code(
        [
          cell({ hidden_chars: 2 }),
          cell({ omitted_chars: 12_000 }),
          cell({ omitted_chars: 500 })
        ],
        4
      )
    );
    expect(notes[0]).toMatch(/^2 invisible or control characters are shown/);
    expect(notes[1]).toBe(
      `2 cells are cut short here (${(12_500).toLocaleString()} characters not shown).`
    );
    expect(notes[2]).toBe('4 more cells are not shown here.');
    expect(notes[3]).toMatch(/jupyter xp promote --dry-run/);
    expect(codeNotes(code([cell({ hidden_chars: 1 })]))[0]).toMatch(
      /^1 invisible or control character is shown/
    );
  });
});
