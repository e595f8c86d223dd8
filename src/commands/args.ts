// Readers of the commands' arguments: each checks the type it needs.
import { ReadonlyPartialJSONObject } from '@lumino/coreutils';

import { CommandIDs } from '../tokens';

/** The `runId` argument of the open-run command. */
export function runIdArg(args: ReadonlyPartialJSONObject): string {
  const { runId } = args;
  if (typeof runId !== 'string' || runId.length === 0) {
    throw new Error(`${CommandIDs.openRun} needs a runId`);
  }
  return runId;
}

/** The `ids` argument of the open-compare command: two or more run ids. */
export function idsArg(args: ReadonlyPartialJSONObject): string[] {
  const { ids } = args;
  if (
    !Array.isArray(ids) ||
    ids.length < 2 ||
    !ids.every(id => typeof id === 'string' && id.length > 0)
  ) {
    throw new Error(`${CommandIDs.openCompare} needs two or more run ids`);
  }
  return ids as string[];
}

/** The optional string argument `name` of a command. */
export function stringArg(
  args: ReadonlyPartialJSONObject,
  name: string
): string | null {
  const value = args[name];
  return typeof value === 'string' && value.length > 0 ? value : null;
}
