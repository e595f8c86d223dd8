// Unit tests of a promotion's environment lines: nothing for today's, the recorded lock's differences, an overlay's pins and conflicts.
import { describe, expect, it } from '@jest/globals';

import { environmentLines } from '../components/promote/environment';

describe('environmentLines', () => {
  it('says nothing for today’s environment with nothing installed', () => {
    expect(environmentLines(null)).toEqual([]);
    expect(environmentLines({ kind: 'today', pins: [] })).toEqual([]);
  });

  it('counts the recorded lock’s pins that differed and names the overlay', () => {
    // Given a recorded run whose lock differed from today's in two pins
    const lines = environmentLines({
      kind: 'recorded',
      pins: ['b==2', 'c==3'],
      hash: 'f'.repeat(64),
      cached: false,
      lock: { pins: 3, differed: 2, python: '3.9.7' },
      conflicts: []
    });

    // Then the verdict's environment is said, and the overlay's pins
    expect(lines).toEqual([
      'Ran in the recorded environment: 2 of the lock’s 3 pins differed from today’s and were installed',
      'Overlay ffffffffffff (built for this promotion): b==2, c==3'
    ]);
  });

  it('lists what pip check found against an overlay’s pins', () => {
    const lines = environmentLines({
      kind: 'overlay',
      pins: ['matplotlib<3.8'],
      with: ['matplotlib<3.8'],
      hash: 'a'.repeat(64),
      cached: true,
      conflicts: [
        'pandas 3.1.1 has requirement numpy>=2.0.2, but you have numpy 1.26.4.'
      ]
    });
    expect(lines[0]).toBe('Ran in an overlay environment');
    expect(lines[1]).toBe('Overlay aaaaaaaaaaaa (cached): matplotlib<3.8');
    expect(lines[2]).toMatch(/^pip check: pandas 3\.1\.1/);
  });
});
