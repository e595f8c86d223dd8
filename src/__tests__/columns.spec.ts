// Unit tests of src/models/columns.ts, the one place the panel parses and builds `metrics.`/`params.`/`tags.` columns.
import { describe, expect, it } from '@jest/globals';

import {
  column,
  isColumn,
  METRICS,
  PARAMS,
  parseColumn,
  TAGS
} from '../models/columns';

describe('run columns', () => {
  it('builds a column as the server names it', () => {
    // Given a key with a slash and a dot in it
    // When it is made a metric, a param and a tag column
    // Then the kind comes first and the key stays whole
    expect(column(METRICS, 'val/acc.top1')).toBe('metrics.val/acc.top1');
    expect(column(PARAMS, 'lr')).toBe('params.lr');
    expect(column(TAGS, 'team')).toBe('tags.team');
  });

  it('parses a column back to its key, only for its own kind', () => {
    // Given columns of each kind and fixed columns
    // When they are parsed
    // Then the key is everything after the first dot, and another kind is null
    expect(parseColumn('metrics.val/acc.top1', METRICS)).toBe('val/acc.top1');
    expect(parseColumn('params.lr', PARAMS)).toBe('lr');
    expect(parseColumn('params.lr', METRICS)).toBeNull();
    expect(parseColumn('start_time', METRICS)).toBeNull();
    expect(parseColumn('metricsx.lr', METRICS)).toBeNull();
    expect(parseColumn('metrics.', METRICS)).toBe('');
  });

  it('round-trips every key', () => {
    // Given keys MLflow allows, dots and spaces included
    const keys = ['a', 'val/acc', 'x.y.z', 'with space', 'metrics.nested'];
    // When each is built and parsed again
    // Then the same key comes back
    for (const key of keys) {
      expect(parseColumn(column(PARAMS, key), PARAMS)).toBe(key);
    }
  });

  it('takes a column only when its key starts with a visible character', () => {
    // Given a column, an empty key and a key that starts with a space
    // When they are checked
    // Then only the first is a column
    expect(isColumn('params.lr', PARAMS)).toBe(true);
    expect(isColumn('params.', PARAMS)).toBe(false);
    expect(isColumn('params. lr', PARAMS)).toBe(false);
    expect(isColumn('metrics.lr', PARAMS)).toBe(false);
  });
});
