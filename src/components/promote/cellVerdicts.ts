// The per-cell verification of a promoted run as plain rows: class, tone, what drifted, and stored vs new for cells that differ.
import type { CellVerdict, OrderRepair, OutputCheck } from '../../models/types';

export type CellClass = CellVerdict['class'];
export type CellTone = 'ok' | 'info' | 'warn' | 'error' | 'muted';

/** Each class in the order the verdict counts them, with its tone. */
export const CELL_CLASSES: ReadonlyArray<[CellClass, CellTone]> = [
  ['identical', 'ok'],
  ['same-values', 'ok'],
  ['within-tolerance', 'info'],
  ['environment', 'info'],
  ['random', 'warn'],
  ['differs', 'error'],
  ['no-stored-output', 'muted'],
  ['skipped', 'muted'],
  ['notebook-export', 'muted']
];

const TONES = new Map(CELL_CLASSES);

/** One row of the per-cell list. */
export interface ICellRow {
  key: string;
  cell: string;
  line: string;
  cls: CellClass;
  tone: CellTone;
  /** Why it is not identical: drift rules, image similarity, a note. */
  detail: string;
  /** Stored and new text side by side, for cells that differ. */
  sideBySide: { stored: string; new: string } | null;
}

/** "4 identical, 2 same-values, 1 differs": the counts in class order. */
export function classSummary(outputs: OutputCheck): string {
  const counts = outputs.classes ?? {};
  return CELL_CLASSES.filter(([cls]) => (counts[cls] ?? 0) > 0)
    .map(([cls]) => `${counts[cls]} ${cls}`)
    .join(', ');
}

/** The rows of the per-cell list, in run order. */
export function cellRows(outputs: OutputCheck): ICellRow[] {
  return (outputs.cells ?? []).map((cell, index) => {
    const parts: string[] = [...(cell.rules ?? [])];
    if (cell.image_similarity !== undefined && cell.image_similarity !== null) {
      parts.push(`image similarity ${cell.image_similarity.toFixed(2)}`);
    }
    if (cell.note) {
      parts.push(cell.note);
    }
    const first = cell.first_difference;
    if (
      first &&
      (cell.class === 'differs' ||
        cell.class === 'random' ||
        cell.class === 'environment')
    ) {
      parts.push(`first difference: ${first.stored} → ${first.new}`);
    }
    return {
      key: `${index}`,
      cell: cell.cell,
      line: cell.line,
      cls: cell.class,
      tone: TONES.get(cell.class) ?? 'muted',
      detail: parts.join('; '),
      sideBySide:
        cell.class === 'differs'
          ? { stored: cell.stored ?? '', new: cell.new ?? '' }
          : null
    };
  });
}

/** The order a promotion used, for ``auto`` with each repair and what was left out. */
export function orderLines(order: OrderRepair | null | undefined): string[] {
  if (!order) {
    return [];
  }
  return [
    ...(order.steps ?? []),
    ...(order.sessions ? [order.sessions] : []),
    ...(order.left_out ?? []).map(cell => `left out: ${cell}`)
  ];
}
