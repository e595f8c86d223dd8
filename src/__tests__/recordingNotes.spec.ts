// Unit tests of the run detail's Recording notes: values redacted and where, records refused.
import { describe, expect, it } from '@jest/globals';

import type { RedactionPlace } from '../api/types';
import {
  placeLabel,
  redactionSummary,
  refusedSummary
} from '../components/runDetail/recordingNotes';

function place(where: string, field: string, count = 1): RedactionPlace {
  return { where, field, count, kinds: ['AWSKeyDetector'], names: [] };
}

describe('redactionSummary', () => {
  it('counts the values and names their places', () => {
    expect(
      redactionSummary({
        count: 3,
        places: [place('cell 4', 'source', 2), place('note 1', 'text')]
      })
    ).toBe('3 values redacted (cell 4 source, note 1)');
    expect(
      redactionSummary({ count: 1, places: [place('param key', 'value')] })
    ).toBe('1 value redacted (param key)');
    expect(redactionSummary({ count: 2, places: [] })).toBe(
      '2 values redacted'
    );
  });

  it('lists a place once, and at most six of them', () => {
    const places = [
      place('cell 2', 'source'),
      place('cell 2', 'source'),
      ...[3, 4, 5, 6, 7, 8, 9].map(n => place(`cell ${n}`, 'error'))
    ];
    expect(redactionSummary({ count: 9, places })).toBe(
      '9 values redacted (cell 2 source, cell 3 error, cell 4 error, cell 5 error, cell 6 error, cell 7 error and 2 more places)'
    );
  });

  it('says nothing when nothing was redacted', () => {
    expect(redactionSummary({ count: 0, places: [] })).toBeNull();
    expect(redactionSummary(null)).toBeNull();
    expect(redactionSummary(undefined)).toBeNull();
  });
});

describe('placeLabel', () => {
  it('names the field unless it is the place’s only one', () => {
    expect(placeLabel(place('git diff', 'config.py'))).toBe(
      'git diff config.py'
    );
    expect(placeLabel(place('tag k', 'value'))).toBe('tag k');
  });
});

describe('refusedSummary', () => {
  it('counts the refused records and says where they are kept', () => {
    expect(refusedSummary(1)).toBe(
      '1 record refused by the store (kept in refused.jsonl on the recording machine)'
    );
    expect(refusedSummary(3)).toMatch(/^3 records refused by the store/);
    expect(refusedSummary(0)).toBeNull();
    expect(refusedSummary(undefined)).toBeNull();
  });
});
