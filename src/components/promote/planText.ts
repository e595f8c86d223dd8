// What the Promote dialog says about the plan in words: who recorded the run, where the code comes from, how much of it is shown.
import type { PlanCode, PromotePlan, Provenance } from '../../models/types';
import { formatTime } from '../../format';

/** Where the code a promotion runs comes from, for each of the plan's sources. */
const CODE_FROM: Record<Provenance['code_from'], string> = {
  journal: 'this machine’s journal (the exact code)',
  store:
    'the store’s copy (recorded elsewhere: anyone who can write the run could have changed it)',
  notebook: 'the notebook file'
};

/**
 * Who recorded the run, on which host and when: `by alice on gpu-3, <time>`;
 * `null` when the run says none of it.
 */
export function recordedBy(provenance: Provenance): string | null {
  const parts: string[] = [];
  if (provenance.user !== null) {
    parts.push(`by ${provenance.user}`);
  }
  if (provenance.host !== null) {
    parts.push(`on ${provenance.host}`);
  }
  const who = parts.join(' ');
  if (provenance.recorded === null) {
    return who === '' ? null : who;
  }
  const when = formatTime(provenance.recorded);
  return who === '' ? when : `${who}, ${when}`;
}

/** Where the code comes from, in words. */
export function codeFrom(provenance: Provenance): string {
  return CODE_FROM[provenance.code_from];
}

/**
 * The folder the job runs in: the notebook's, when the server could confine
 * its path, else a fresh one.
 */
export function runsIn(plan: PromotePlan): string {
  if (plan.notebook === null) {
    return 'a fresh folder (the bundle’s)';
  }
  const slash = plan.notebook.lastIndexOf('/');
  const folder = slash > 0 ? plan.notebook.slice(0, slash) : plan.notebook;
  return `${folder} (the notebook’s folder)`;
}

/** The title of the code section: `Code that will run (5 cells)`. */
export function codeTitle(code: PlanCode | undefined): string {
  if (code === undefined) {
    return 'Code that will run';
  }
  const n = code.total_cells;
  return `Code that will run (${n} cell${n === 1 ? '' : 's'})`;
}

/**
 * What the listing leaves out or changes, in one sentence each: hidden
 * characters shown as escapes, cells cut short, cells not shown.
 */
export function codeNotes(code: PlanCode): string[] {
  const notes: string[] = [];
  const hidden = code.cells.reduce((sum, cell) => sum + cell.hidden_chars, 0);
  if (hidden > 0) {
    notes.push(
      `${hidden} invisible or control character${hidden === 1 ? ' is' : 's are'} shown as \\u escapes: the code holds ${hidden === 1 ? 'it' : 'them'}, and ${hidden === 1 ? 'it' : 'they'} can make code read unlike what it does.`
    );
  }
  const cut = code.cells.filter(cell => cell.omitted_chars > 0);
  if (cut.length > 0) {
    const chars = cut.reduce((sum, cell) => sum + cell.omitted_chars, 0);
    notes.push(
      `${cut.length} cell${cut.length === 1 ? ' is' : 's are'} cut short here (${chars.toLocaleString()} characters not shown).`
    );
  }
  if (code.omitted_cells > 0) {
    notes.push(
      `${code.omitted_cells} more cell${code.omitted_cells === 1 ? ' is' : 's are'} not shown here.`
    );
  }
  if (cut.length > 0 || code.omitted_cells > 0) {
    notes.push(
      'Read all of it with jupyter xp promote --dry-run before promoting.'
    );
  }
  return notes;
}
