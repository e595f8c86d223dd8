// Unit tests of the formatting and JSON-narrowing helpers in src/format.ts.
import { describe, expect, it } from '@jest/globals';

import {
  asArray,
  asNumber,
  asRecord,
  asString,
  field,
  firstLine,
  formatDuration,
  formatGiB,
  formatNumber,
  formatPValue,
  formatStat,
  formatTime,
  formatValue,
  MISSING,
  runLabel
} from '../format';

describe('runLabel', () => {
  it('shows a run by its name', () => {
    expect(runLabel({ name: 'baseline', run_id: '0123456789abcdef' })).toBe(
      'baseline'
    );
  });

  it('falls back to the first 8 characters of the id when there is no name', () => {
    expect(runLabel({ name: null, run_id: '0123456789abcdef' })).toBe(
      '01234567'
    );
    expect(runLabel({ name: '', run_id: '0123456789abcdef' })).toBe('01234567');
  });
});

describe('formatStat', () => {
  it('rounds statistics to four significant digits', () => {
    expect(formatStat(0.00639548)).toBe('0.006395');
    expect(formatStat(0.91203)).toBe('0.912');
    expect(formatStat(12.3456)).toBe('12.35');
    expect(formatStat(-0.0037999)).toBe('-0.0038');
    expect(formatStat(123456.7)).toBe('123500');
    expect(formatStat(2)).toBe('2');
    expect(formatStat(0)).toBe('0');
  });

  it('takes another number of digits, and switches to exponents at the extremes', () => {
    expect(formatStat(0.84612, 3)).toBe('0.846');
    expect(formatStat(0.00001234567)).toBe('1.235e-5');
    expect(formatStat(2.5e12)).toBe('2.500e+12');
  });

  it('shows a missing value for null, undefined, NaN and infinity', () => {
    expect(formatStat(null)).toBe(MISSING);
    expect(formatStat(undefined)).toBe(MISSING);
    expect(formatStat(Number.NaN)).toBe(MISSING);
    expect(formatStat(Number.POSITIVE_INFINITY)).toBe(MISSING);
  });
});

describe('formatNumber', () => {
  it('writes integers as they are', () => {
    expect(formatNumber(0)).toBe('0');
    expect(formatNumber(-42)).toBe('-42');
    expect(formatNumber(1234567890123)).toBe('1234567890123');
  });

  it('rounds other numbers to six significant digits', () => {
    expect(formatNumber(0.123456789)).toBe('0.123457');
    expect(formatNumber(3.14159265)).toBe('3.14159');
    expect(formatNumber(-2.5)).toBe('-2.5');
  });

  it('switches to exponent notation for very small and very large values', () => {
    expect(formatNumber(0.00001234)).toBe('1.234e-5');
    expect(formatNumber(1.5e12 + 0.5)).toBe('1.500e+12');
  });

  it('shows a missing value for null, undefined and NaN', () => {
    expect(formatNumber(null)).toBe(MISSING);
    expect(formatNumber(undefined)).toBe(MISSING);
    expect(formatNumber(Number.NaN)).toBe(MISSING);
  });
});

describe('formatPValue', () => {
  it('writes three decimals, or < 0.001', () => {
    expect(formatPValue(0.04567)).toBe('0.046');
    expect(formatPValue(0.001)).toBe('0.001');
    expect(formatPValue(0.0009)).toBe('< 0.001');
    expect(formatPValue(null)).toBe(MISSING);
  });
});

describe('formatDuration', () => {
  it('uses milliseconds under a second', () => {
    expect(formatDuration(0.85)).toBe('850 ms');
    expect(formatDuration(0)).toBe('0 ms');
  });

  it('uses seconds under a minute, two decimals under ten', () => {
    expect(formatDuration(1.234)).toBe('1.23 s');
    expect(formatDuration(12.34)).toBe('12.3 s');
  });

  it('uses minutes and padded seconds under an hour', () => {
    expect(formatDuration(245)).toBe('4 min 05 s');
    expect(formatDuration(59.6)).toBe('59.6 s');
    expect(formatDuration(3599.4)).toBe('59 min 59 s');
  });

  it('uses hours and padded minutes from an hour on', () => {
    expect(formatDuration(3600)).toBe('1 h 00 min');
    expect(formatDuration(2 * 3600 + 3 * 60 + 40)).toBe('2 h 03 min');
  });

  it('shows a missing value when there is no duration', () => {
    expect(formatDuration(null)).toBe(MISSING);
    expect(formatDuration(undefined)).toBe(MISSING);
  });
});

describe('formatTime', () => {
  it('writes a time in the locale of the browser', () => {
    const ms = Date.UTC(2026, 10, 2, 9, 30);
    expect(formatTime(ms)).toBe(new Date(ms).toLocaleString());
    expect(formatTime(null)).toBe(MISSING);
  });
});

describe('formatGiB', () => {
  it('writes bytes as GiB with one decimal', () => {
    expect(formatGiB(2 ** 30)).toBe('1.0 GiB');
    expect(formatGiB(24 * 2 ** 30 + 2 ** 29)).toBe('24.5 GiB');
    expect(formatGiB(null)).toBe(MISSING);
  });
});

describe('firstLine', () => {
  it('is the first line that is not blank, without trailing space', () => {
    expect(firstLine('\n   \nimport time  \ntime.sleep(1)')).toBe(
      'import time'
    );
    expect(firstLine('')).toBe('');
  });
});

describe('formatValue', () => {
  it('writes any captured value as one line of text', () => {
    expect(formatValue('cuda:0')).toBe('cuda:0');
    expect(formatValue(0.5)).toBe('0.5');
    expect(formatValue(true)).toBe('yes');
    expect(formatValue(false)).toBe('no');
    expect(formatValue({ a: [1, 2] })).toBe('{"a":[1,2]}');
    expect(formatValue(null)).toBe(MISSING);
    expect(formatValue(undefined)).toBe(MISSING);
  });
});

describe('narrowing of free-form JSON', () => {
  it('asRecord accepts plain objects only', () => {
    expect(asRecord({ a: 1 })).toEqual({ a: 1 });
    expect(asRecord([1])).toBeNull();
    expect(asRecord(null)).toBeNull();
    expect(asRecord('x')).toBeNull();
  });

  it('asArray gives an empty array for anything but an array', () => {
    expect(asArray([1, 'a'])).toEqual([1, 'a']);
    expect(asArray({ length: 1 })).toEqual([]);
    expect(asArray(undefined)).toEqual([]);
  });

  it('asString and asNumber keep their own type only', () => {
    expect(asString('a')).toBe('a');
    expect(asString(1)).toBeNull();
    expect(asNumber(1.5)).toBe(1.5);
    expect(asNumber(Number.POSITIVE_INFINITY)).toBeNull();
    expect(asNumber('1')).toBeNull();
  });

  it('field reads a key of an object, and nothing from anything else', () => {
    expect(field({ version: '3.11' }, 'version')).toBe('3.11');
    expect(field({ version: '3.11' }, 'name')).toBeUndefined();
    expect(field(['3.11'], '0')).toBeUndefined();
    expect(field(null, 'version')).toBeUndefined();
  });
});
