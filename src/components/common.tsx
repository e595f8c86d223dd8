// Small presentational pieces shared by the panel, the run detail and the comparison.
import React from 'react';

import type { RunStatus } from '../models/types';

/**
 * Small presentational pieces shared by the panel, the run detail and the
 * comparison. Everything recorded is rendered as React text nodes.
 */

const RUN_STATUS_LABELS: Record<RunStatus, string> = {
  RUNNING: 'running',
  SCHEDULED: 'scheduled',
  FINISHED: 'finished',
  FAILED: 'failed',
  KILLED: 'killed'
};

/** A run's status as a colored badge that also says it in words. */
export function StatusBadge(props: { status: RunStatus }): React.JSX.Element {
  return (
    <span
      className={`jp-xp-Badge jp-xp-Badge-${props.status.toLowerCase()}`}
      title={`Status: ${RUN_STATUS_LABELS[props.status]}`}
    >
      {RUN_STATUS_LABELS[props.status]}
    </span>
  );
}

/** A badge with a tone of its own (cell states, yes/no verdicts). */
export function Badge(props: {
  label: string;
  tone: 'ok' | 'error' | 'warn' | 'info' | 'muted';
  title?: string;
}): React.JSX.Element {
  return (
    <span
      className={`jp-xp-Badge jp-xp-Badge-tone-${props.tone}`}
      title={props.title}
    >
      {props.label}
    </span>
  );
}

/** A small button in the extension's style. */
export function Button(
  props: React.ButtonHTMLAttributes<HTMLButtonElement> & {
    primary?: boolean;
  }
): React.JSX.Element {
  const { primary, className, ...rest } = props;
  const classes = ['jp-xp-Button'];
  if (primary) {
    classes.push('jp-xp-Button-primary');
  }
  if (className) {
    classes.push(className);
  }
  return <button type="button" className={classes.join(' ')} {...rest} />;
}

/**
 * A failed request: the server's one-line message and a Retry button. When
 * the store (or the server) is unreachable the poll retries by itself, and
 * this says so.
 */
export function ErrorState(props: {
  what: string;
  message: string;
  onRetry: () => void;
  retrying?: boolean;
}): React.JSX.Element {
  return (
    <div className="jp-xp-ErrorState" role="alert">
      {props.retrying === true && (
        <p className="jp-xp-ErrorState-retrying">
          <strong>Store unreachable, retrying…</strong>
        </p>
      )}
      <p>
        {props.what}: {props.message}
      </p>
      <Button onClick={props.onRetry}>
        {props.retrying ? 'Retry now' : 'Retry'}
      </Button>
    </div>
  );
}

/** Nothing to show, and what to do about it. */
export function EmptyState(props: {
  children: React.ReactNode;
}): React.JSX.Element {
  return <div className="jp-xp-EmptyState">{props.children}</div>;
}

/** Something is on its way. */
export function Loading(props: { what: string }): React.JSX.Element {
  return (
    <p className="jp-xp-Loading" role="status">
      {props.what}
    </p>
  );
}

/** A titled part of a view. */
export function Section(props: {
  title: string;
  children: React.ReactNode;
  note?: string;
}): React.JSX.Element {
  return (
    <section className="jp-xp-Section">
      <h3 className="jp-xp-Section-title">
        {props.title}
        {props.note !== undefined && (
          <span className="jp-xp-Section-note">{props.note}</span>
        )}
      </h3>
      {props.children}
    </section>
  );
}

/** Rows of name and value. */
export function KeyValueTable(props: {
  rows: readonly (readonly [string, React.ReactNode])[];
  label: string;
}): React.JSX.Element {
  return (
    <table className="jp-xp-Table jp-xp-KeyValue" aria-label={props.label}>
      <tbody>
        {props.rows.map(([key, value]) => (
          <tr key={key}>
            <th scope="row">{key}</th>
            <td>{value}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** A table's column headers, then any more header cells (one per run). */
export function TableHead(props: {
  columns: readonly string[];
  children?: React.ReactNode;
}): React.JSX.Element {
  return (
    <thead>
      <tr>
        {props.columns.map(column => (
          <th key={column} scope="col">
            {column}
          </th>
        ))}
        {props.children}
      </tr>
    </thead>
  );
}

/** How a unified diff line is drawn. */
function diffLineClass(line: string): string {
  if (line.startsWith('+++') || line.startsWith('---')) {
    return 'jp-xp-Diff-file';
  }
  if (line.startsWith('@@')) {
    return 'jp-xp-Diff-hunk';
  }
  if (line.startsWith('+')) {
    return 'jp-xp-Diff-added';
  }
  if (line.startsWith('-')) {
    return 'jp-xp-Diff-removed';
  }
  return 'jp-xp-Diff-context';
}

/** A unified diff, as text, with added and removed lines colored. */
export function DiffView(props: {
  diff: string;
  label: string;
}): React.JSX.Element {
  const lines = props.diff.split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') {
    lines.pop();
  }
  return (
    <pre className="jp-xp-Diff" aria-label={props.label}>
      {lines.map((line, index) => (
        <span key={index} className={diffLineClass(line)}>
          {`${line}\n`}
        </span>
      ))}
    </pre>
  );
}
