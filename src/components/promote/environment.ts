// The environment a promotion ran in, as lines of text: the recorded lock's differences, the overlay and its pins.
import type { PromoteEnvironment } from '../../models/types';

const PLACES: Record<PromoteEnvironment['kind'], string> = {
  today: 'today’s environment',
  recorded: 'the recorded environment',
  overlay: 'an overlay environment'
};

/**
 * Where a promotion ran and what that means for its verdict, one line each;
 * nothing for today's environment with nothing installed (the default).
 */
export function environmentLines(
  env: PromoteEnvironment | null | undefined
): string[] {
  if (!env || (env.kind === 'today' && !env.lock)) {
    return [];
  }
  let head = `Ran in ${PLACES[env.kind]}`;
  if (env.lock) {
    head += `: ${env.lock.differed} of the lock’s ${env.lock.pins} pins differed from today’s`;
    head += env.lock.differed > 0 ? ' and were installed' : '';
  }
  const lines = [head];
  const pins = env.pins ?? [];
  if (env.hash && pins.length > 0) {
    const state =
      env.cached === true
        ? 'cached'
        : env.cached === false
          ? 'built for this promotion'
          : 'to be built or reused';
    lines.push(
      `Overlay ${env.hash.slice(0, 12)} (${state}): ${pins.join(', ')}`
    );
  }
  for (const conflict of (env.conflicts ?? []).slice(0, 3)) {
    lines.push(`pip check: ${conflict}`);
  }
  return lines;
}
