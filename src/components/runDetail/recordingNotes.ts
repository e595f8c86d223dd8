// What a run's store copy lacks, in words: how many values were redacted and where, how many records the store refused.
import type { RedactionPlace, Redactions } from '../../models/types';

/** Places listed by name before "and N more". */
const MAX_PLACES = 6;

/** Fields too generic to name next to their place (`note 1`, not `note 1 text`). */
const PLAIN_FIELDS = new Set(['text', 'value', '']);

/** A redaction place as read: `cell 4 source`, `note 1`, `git diff config.py`. */
export function placeLabel(place: RedactionPlace): string {
  return PLAIN_FIELDS.has(place.field)
    ? place.where
    : `${place.where} ${place.field}`;
}

/**
 * `3 values redacted (cell 4 source, note 1)`; `null` when nothing was
 * redacted (or the run predates the count).
 */
export function redactionSummary(
  redactions: Redactions | null | undefined
): string | null {
  if (!redactions || redactions.count <= 0) {
    return null;
  }
  const n = redactions.count;
  const labels = [...new Set(redactions.places.map(placeLabel))];
  const shown = labels.slice(0, MAX_PLACES).join(', ');
  const more =
    labels.length > MAX_PLACES
      ? ` and ${labels.length - MAX_PLACES} more place${labels.length - MAX_PLACES === 1 ? '' : 's'}`
      : '';
  const where = labels.length > 0 ? ` (${shown}${more})` : '';
  return `${n} value${n === 1 ? '' : 's'} redacted${where}`;
}

/**
 * `1 record refused by the store (kept in refused.jsonl on the recording
 * machine)`; `null` when the store took every record.
 */
export function refusedSummary(refused: number | undefined): string | null {
  if (refused === undefined || refused <= 0) {
    return null;
  }
  return `${refused} record${refused === 1 ? '' : 's'} refused by the store (kept in refused.jsonl on the recording machine)`;
}
