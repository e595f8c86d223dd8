// A run's declared datasets (xp.dataset): checksum, and where the data came from (DVC, Hugging Face, data card).
import React from 'react';

import type { RunDetail } from '../../models/types';
import { TableHead } from '../common';

type Dataset = NonNullable<RunDetail['datasets']>[number];

const COLUMNS = ['Name', 'Context', 'Checksum', 'Provenance', 'Data card'];

/** Where one dataset came from, as one line of text per source. */
export function provenanceLines(data: Dataset): string[] {
  const lines: string[] = [];
  const dvc = data.dvc;
  if (dvc) {
    const stage = dvc.stage ? ` stage ${dvc.stage}` : '';
    const commit = dvc.git?.commit
      ? `git ${dvc.git.commit.slice(0, 12)}`
      : 'git -';
    const status = dvc.git?.status ? ` (${dvc.git.status})` : '';
    const remote = dvc.remote
      ? `remote ${dvc.remote}${dvc.remote_url ? ` ${dvc.remote_url}` : ''}`
      : 'no remote';
    // A dvc.yaml output that no dvc.lock has hashed yet says so instead of a hash.
    const hashed =
      !dvc.hash && dvc.note
        ? dvc.note
        : `${dvc.hash_name ?? 'hash'} ${dvc.hash ?? '-'}`;
    lines.push(
      `DVC ${dvc.pointer ?? '?'}${stage}: ${hashed}, ${commit}${status}, ${remote}`
    );
  }
  const hub = data.hf;
  if (hub) {
    const rows = Object.entries(hub.splits)
      .map(([name, count]) => `${name} ${count}`)
      .join(', ');
    const pin =
      hub.pinned === true
        ? 'pinned'
        : hub.pinned === false
          ? 'not pinned'
          : 'pin unknown';
    const where = hub.revision
      ? `Hub ${hub.repo ?? '?'}@${hub.revision} (${pin})`
      : 'local datasets object';
    lines.push(
      `${where}, config ${hub.config_name ?? '-'}, rows ${rows || '-'}`
    );
  }
  if (lines.length === 0) {
    lines.push(data.uri ?? data.source_type);
  }
  return lines;
}

/** The card's kind, path and license; why there is none, or "none" when none was found. */
export function cardText(data: Dataset): string {
  if (data.card) {
    const license = data.card.license ? ` (license ${data.card.license})` : '';
    return `${data.card.kind}: ${data.card.path}${license}`;
  }
  if (data.card_note) {
    return data.card_note;
  }
  return data.card_checked ? 'none' : '-';
}

/** The Datasets table, or a line saying how to declare one. */
export function Datasets(props: { run: RunDetail }): React.JSX.Element {
  const datasets = props.run.datasets ?? [];
  if (datasets.length === 0) {
    return (
      <p className="jp-xp-Muted">
        No datasets declared. <code>xp.dataset(path)</code> or{' '}
        <code>xp.dataset(hf_dataset)</code> records the data a run reads.
      </p>
    );
  }
  return (
    <table className="jp-xp-Table jp-xp-Datasets" aria-label="Datasets">
      <TableHead columns={COLUMNS} />
      <tbody>
        {datasets.map(data => (
          <tr key={`${data.name}-${data.digest}`}>
            <td>{data.name}</td>
            <td>{data.context ?? '-'}</td>
            <td>
              <code title={data.sha256 ?? data.digest}>
                {(data.sha256 ?? data.digest).slice(0, 16)}
              </code>
            </td>
            <td>
              {provenanceLines(data).map(line => (
                <div key={line}>{line}</div>
              ))}
            </td>
            <td className={data.card ? undefined : 'jp-xp-Muted'}>
              {cardText(data)}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
