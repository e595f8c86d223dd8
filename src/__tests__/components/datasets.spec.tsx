// Component tests of a run's Datasets section: each dataset's checksum, DVC and Hub provenance and data card, found by role.
import { afterEach, describe, expect, it } from '@jest/globals';
import { cleanup, render, screen, within } from '@testing-library/react';
import React from 'react';

import type { RunDetail } from '../../api/types';
import { Datasets } from '../../components/runDetail/Datasets';
import { detail } from '../bodies';

const COMMIT = '0123456789abcdef0123456789abcdef01234567';

function withDatasets(datasets: RunDetail['datasets']): RunDetail {
  return detail({ datasets });
}

afterEach(cleanup);

describe('Datasets', () => {
  it('shows each dataset with its DVC pointer, Hub revision and data card', () => {
    // Given a run with a DVC-tracked file that has a card and a Hub dataset whose card is not
    // in the local cache
    const run = withDatasets([
      {
        name: 'train.csv',
        digest: 'a'.repeat(36),
        context: 'training',
        source_type: 'local',
        uri: 'file:///data/train.csv',
        sha256: 'b'.repeat(64),
        dvc: {
          pointer: 'train.csv.dvc',
          stage: null,
          out: 'train.csv',
          hash: 'c'.repeat(32),
          hash_name: 'md5',
          size: 8,
          nfiles: null,
          remote: 'storage',
          remote_url: 'https://data.example.org/dvc',
          git: { commit: COMMIT, status: 'committed' }
        },
        card: {
          path: '/data/data_card.md',
          kind: 'data_card',
          sha256: 'd'.repeat(64),
          bytes: 20,
          license: 'cc-by-4.0'
        },
        card_checked: true
      },
      {
        name: 'tiny',
        digest: '015b76730e82c51f',
        context: 'evaluation',
        source_type: 'hugging_face',
        uri: null,
        sha256: null,
        dvc: null,
        hf: {
          repo: 'org/tiny',
          revision: COMMIT,
          pinned: false,
          config_name: 'default',
          dataset_name: 'tiny',
          splits: { train: 3 },
          fingerprints: { train: '015b76730e82c51f' }
        },
        card_note: 'not in the local cache',
        card_checked: true
      }
    ]);
    // When the section renders
    render(<Datasets run={run} />);
    // Then both rows say where their data came from, and which card described it
    const rows = within(
      screen.getByRole('table', { name: 'Datasets' })
    ).getAllByRole('row');
    expect(rows).toHaveLength(3);
    expect(rows[1].textContent).toContain(
      `DVC train.csv.dvc: md5 ${'c'.repeat(32)}, git ${COMMIT.slice(0, 12)} (committed), remote storage https://data.example.org/dvc`
    );
    expect(rows[1].textContent).toContain(
      'data_card: /data/data_card.md (license cc-by-4.0)'
    );
    expect(rows[2].textContent).toContain(
      `Hub org/tiny@${COMMIT} (not pinned), config default, rows train 3`
    );
    expect(rows[2].textContent).toContain('not in the local cache');
  });

  it('says a dvc.yaml output has no hash when no dvc.lock has locked it', () => {
    // Given a run with an output of a dvc.yaml stage that dvc repro never ran
    const run = withDatasets([
      {
        name: 'later.txt',
        digest: 'e'.repeat(36),
        context: 'training',
        source_type: 'local',
        uri: 'file:///repo/later.txt',
        sha256: 'f'.repeat(64),
        dvc: {
          pointer: 'dvc.yaml',
          stage: 'later',
          out: 'later.txt',
          hash: null,
          hash_name: null,
          size: null,
          nfiles: null,
          remote: null,
          remote_url: null,
          git: { commit: COMMIT, status: 'committed' },
          note: 'not locked: no hash'
        },
        card_checked: true
      }
    ]);
    // When the section renders
    render(<Datasets run={run} />);
    // Then its provenance names the stage and says it is not locked
    expect(
      screen.getByText(
        `DVC dvc.yaml stage later: not locked: no hash, git ${COMMIT.slice(0, 12)} (committed), no remote`
      )
    ).toBeTruthy();
  });

  it('says how to declare a dataset when the run has none', () => {
    // Given a run without datasets
    render(<Datasets run={withDatasets([])} />);
    // Then a line names xp.dataset
    expect(screen.getByText(/No datasets declared/)).toBeTruthy();
  });
});
