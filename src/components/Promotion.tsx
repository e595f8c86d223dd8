// Promotions and their verdicts: promotion jobs' progress, and whether a promoted run reproduced its source.
import React from 'react';

import type { Promotion, PromotedRun, Verification } from '../models/types';
import { CellVerdicts } from './promote/CellVerdicts';
import { orderLines } from './promote/cellVerdicts';
import { environmentLines } from './promote/environment';
import { formatNumber, formatTime, MISSING } from '../format';
import { isActivePromotion, PromotionsModel } from '../models/promotions';
import { useModel } from './useModel';
import { useTrans } from './translation';
import {
  Badge,
  Button,
  EmptyState,
  ErrorState,
  Loading,
  StatusBadge,
  TableHead
} from './common';

/**
 * Promotions and their verdicts: the progress of promotion jobs, and whether
 * a promoted run reproduced its source. Everything the server sends (cell
 * sources, errors, names) is rendered as text.
 */

type Verdict = Verification['verdict'];
type Tone = 'ok' | 'error' | 'warn' | 'info' | 'muted';

const VERDICTS: Record<Verdict, { label: string; tone: Tone; title: string }> =
  {
    exact: {
      label: 'reproduced exactly',
      tone: 'ok',
      title: 'Every metric is equal to the source run’s'
    },
    'within-tolerance': {
      label: 'reproduced within tolerance',
      tone: 'info',
      title: 'Every metric is within the relative tolerance of the source run’s'
    },
    random: {
      label: 'reproduced except unseeded random cells',
      tone: 'warn',
      title:
        'Only cells that draw random numbers nothing seeded differ from the stored outputs'
    },
    differs: {
      label: 'differs',
      tone: 'error',
      title: 'At least one metric differs from the source run’s'
    },
    'no-metrics': {
      label: 'no metrics to compare',
      tone: 'muted',
      title: 'The source run has no metrics, so nothing could be compared'
    }
  };

/** Whether a promoted run reproduced its source, as a colored badge. */
export function VerdictBadge(props: { verdict: Verdict }): React.JSX.Element {
  const { label, tone, title } = VERDICTS[props.verdict];
  return <Badge label={label} tone={tone} title={title} />;
}

const STATE_TONES: Record<Promotion['state'], Tone> = {
  queued: 'muted',
  running: 'info',
  finished: 'ok',
  failed: 'error',
  cancelled: 'warn'
};

/** A promotion job's state as a badge. */
function PromotionStateBadge(props: {
  state: Promotion['state'];
}): React.JSX.Element {
  return (
    <Badge
      label={props.state}
      tone={STATE_TONES[props.state]}
      title={`Promotion ${props.state}`}
    />
  );
}

/** A relative tolerance as written in code: `1e-6`, `0.01`. */
function formatTolerance(value: number): string {
  return value !== 0 && value < 1e-3 ? value.toExponential() : String(value);
}

/** A relative difference as a percentage. */
function formatRelative(value: number | null): string {
  return value === null ? MISSING : `${formatNumber(value * 100)} %`;
}

/**
 * The verification of a promoted run: its verdict, the tolerance, the
 * metrics that differ most and the check of the notebook's stored outputs.
 */
export function VerificationView(props: {
  verification: Verification;
}): React.JSX.Element {
  const { verification } = props;
  const { outputs } = verification;
  return (
    <div className="jp-xp-Verification">
      <p>
        <VerdictBadge verdict={verification.verdict} />
        <span className="jp-xp-Muted">
          {` ${verification.metrics_compared} metric${
            verification.metrics_compared === 1 ? '' : 's'
          } compared, relative tolerance ${formatTolerance(verification.tolerance)}`}
        </span>
      </p>
      {verification.largest.length === 0 &&
        verification.metrics_compared > 0 && (
          <p className="jp-xp-Muted">Every metric equals the source run’s.</p>
        )}
      {verification.largest.length > 0 && (
        <table className="jp-xp-Table" aria-label="Largest differences">
          <TableHead
            columns={['Metric', 'Source', 'Promoted', 'Difference', 'Relative']}
          />
          <tbody>
            {verification.largest.map(diff => (
              <tr key={diff.key}>
                <th scope="row">{diff.key}</th>
                <td>{formatNumber(diff.source)}</td>
                <td>{formatNumber(diff.promoted)}</td>
                <td>{formatNumber(diff.abs_diff)}</td>
                <td>{formatRelative(diff.rel_diff)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {outputs !== null && (
        <div className="jp-xp-Verification-outputs">
          <p>
            {`Stored outputs: ${outputs.compared} cell${
              outputs.compared === 1 ? '' : 's'
            } compared, ${outputs.matched} matched, ${outputs.mismatched.length} mismatched`}
          </p>
          <CellVerdicts outputs={outputs} />
          {outputs.mismatched.length > 0 && !outputs.cells?.length && (
            <ul className="jp-xp-Plain" aria-label="Cells whose outputs differ">
              {outputs.mismatched.map((label, index) => (
                <li key={index}>
                  <code>{label}</code>
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
    </div>
  );
}

/** A job's progress: cells done out of the cells to run. */
function ProgressBar(props: { promotion: Promotion }): React.JSX.Element {
  const { cells_done: done, cells_total: total, state } = props.promotion;
  const share = total > 0 ? Math.min(done / total, 1) : 0;
  const text =
    total > 0
      ? `${done} / ${total} cells`
      : state === 'queued'
        ? 'waiting to start'
        : MISSING;
  return (
    <div className="jp-xp-Progress">
      <div
        className={`jp-xp-Progress-track jp-xp-Progress-${state}`}
        role="progressbar"
        aria-label="Cells run"
        aria-valuemin={0}
        aria-valuemax={total}
        aria-valuenow={done}
        aria-valuetext={text}
      >
        <span
          className="jp-xp-Progress-fill"
          style={{ width: `${share * 100}%` }}
        />
      </div>
      <span className="jp-xp-Progress-text">{text}</span>
    </div>
  );
}

/** One seed's run of a promotion: a link to it, its state and verdict. */
function PromotedRunRow(props: {
  run: PromotedRun;
  onOpenRun: (runId: string) => void;
}): React.JSX.Element {
  const { run, onOpenRun } = props;
  return (
    <tr>
      <th scope="row">{run.seed}</th>
      <td>
        {run.run_id === null ? (
          MISSING
        ) : (
          <button
            type="button"
            className="jp-xp-Link"
            title={`${run.run_id}: open its details`}
            onClick={() => run.run_id !== null && onOpenRun(run.run_id)}
          >
            {run.run_id.slice(0, 8)}
          </button>
        )}
      </td>
      <td>
        {run.status === null ? (
          <Badge label="waiting" tone="muted" />
        ) : (
          <StatusBadge status={run.status} />
        )}
      </td>
      <td>
        {run.verification === null ? (
          <span className="jp-xp-Muted">{MISSING}</span>
        ) : (
          <VerdictBadge verdict={run.verification.verdict} />
        )}
      </td>
      <td className="jp-xp-Error">{run.error ?? ''}</td>
    </tr>
  );
}

/** Props of {@link PromotionCard}. */
export interface IPromotionCardProps {
  promotion: Promotion;
  /** Whether a cancel is on its way. */
  cancelling: boolean;
  /** Why the last cancel failed, if it did. */
  cancelError: string | null;
  onCancel: () => void;
  onOpenRun: (runId: string) => void;
}

/**
 * One promotion job: state, progress, the cell running now, Cancel while it
 * is queued or running, and one row per seed.
 */
export function PromotionCard(props: IPromotionCardProps): React.JSX.Element {
  const { promotion, cancelling, cancelError, onCancel, onOpenRun } = props;
  const active = isActivePromotion(promotion);
  const seeds = promotion.seeds.join(', ') || MISSING;
  return (
    <li className="jp-xp-Promotion" aria-label={`Promotion ${promotion.name}`}>
      <div className="jp-xp-Promotion-head">
        <span className="jp-xp-Promotion-name">{promotion.name}</span>
        <PromotionStateBadge state={promotion.state} />
        {promotion.verdict !== null && (
          <VerdictBadge verdict={promotion.verdict} />
        )}
        <span className="jp-xp-Muted">
          {`${promotion.order} order · seed${
            promotion.seeds.length === 1 ? '' : 's'
          } ${seeds} · ${formatTime(promotion.created * 1000)}`}
        </span>
        {active && (
          <Button
            className="jp-xp-Promotion-cancel"
            disabled={cancelling}
            onClick={onCancel}
          >
            {cancelling ? 'Cancelling…' : 'Cancel'}
          </Button>
        )}
      </div>
      <ProgressBar promotion={promotion} />
      {orderLines(promotion.order_repair).length > 0 && (
        <ul className="jp-xp-Plain" aria-label="How the order was found">
          {orderLines(promotion.order_repair).map((line, index) => (
            <li key={index}>{line}</li>
          ))}
        </ul>
      )}
      {environmentLines(promotion.environment).length > 0 && (
        <ul className="jp-xp-Plain" aria-label="Environment">
          {environmentLines(promotion.environment).map((line, index) => (
            <li key={index}>{line}</li>
          ))}
        </ul>
      )}
      {active && promotion.current_cell !== null && (
        <p className="jp-xp-Promotion-current">
          {'Running '}
          <code>{promotion.current_cell}</code>
        </p>
      )}
      {promotion.error !== null && (
        <p className="jp-xp-Error jp-xp-Promotion-error">{promotion.error}</p>
      )}
      {cancelError !== null && (
        <p className="jp-xp-Error" role="alert">
          {`Could not cancel: ${cancelError}`}
        </p>
      )}
      {promotion.runs.length > 0 && (
        <table
          className="jp-xp-Table jp-xp-PromotedRunsTable"
          aria-label="Promoted runs"
        >
          <TableHead columns={['Seed', 'Run', 'Status', 'Verdict', 'Error']} />
          <tbody>
            {promotion.runs.map(run => (
              <PromotedRunRow key={run.seed} run={run} onOpenRun={onOpenRun} />
            ))}
          </tbody>
        </table>
      )}
      {promotion.bundle !== null && (
        <p className="jp-xp-Muted jp-xp-Promotion-bundle">
          {'Bundle: '}
          <code>{promotion.bundle}</code>
        </p>
      )}
    </li>
  );
}

/** Props of {@link PromotionListView}. */
export interface IPromotionListViewProps {
  model: PromotionsModel;
  onOpenRun: (runId: string) => void;
  /** What to say when there are no promotions. */
  empty: React.ReactNode;
}

/** The live list of a {@link PromotionsModel}: one card per promotion. */
export function PromotionListView(
  props: IPromotionListViewProps
): React.JSX.Element {
  const { model, onOpenRun, empty } = props;
  useModel(model);
  const trans = useTrans();
  const { promotions, error } = model;
  return (
    <div className="jp-xp-Promotions">
      {error !== null && (
        <ErrorState
          what={trans.__('Could not read the promotions')}
          message={error}
          onRetry={() => model.refresh()}
        />
      )}
      {promotions.length === 0 ? (
        model.loaded ? (
          <EmptyState>{empty}</EmptyState>
        ) : (
          error === null && (
            <Loading what={trans.__('Loading the promotions…')} />
          )
        )
      ) : (
        <ul className="jp-xp-Promotions-list" aria-label="Promotions">
          {promotions.map(promotion => (
            <PromotionCard
              key={promotion.id}
              promotion={promotion}
              cancelling={model.isCancelling(promotion.id)}
              cancelError={model.cancelError(promotion.id)}
              onCancel={() => void model.cancel(promotion.id)}
              onOpenRun={onOpenRun}
            />
          ))}
        </ul>
      )}
    </div>
  );
}
