// A comparison's "Gate against…": pick the baseline and candidate sides, the metric and limits, and show the gate's decision.
import React, { useId, useState } from 'react';

import type { CompareBody, GateBody, GateMetric } from '../../models/types';
import {
  gateMetrics,
  GateModel,
  gateSides,
  IGateQuery,
  IGateSide
} from '../../models/gate';
import { formatPValue, formatStat, MISSING } from '../../format';
import { Badge, Button, Loading, TableHead } from '../common';
import { useModel } from '../useModel';
import { useTrans } from '../translation';

/** A side picked in the form: a seed group by its index, or a typed selection. */
type Pick = { group: number } | { typed: string };

const TYPED = 'typed';

/** How each decision is drawn. */
const TONES: Record<GateBody['decision'], 'ok' | 'error' | 'warn'> = {
  pass: 'ok',
  fail: 'error',
  inconclusive: 'warn'
};

/** The selection a pick stands for (a group's run ids, or the typed text). */
function selectionOf(pick: Pick, sides: readonly IGateSide[]): string {
  return 'group' in pick ? (sides[pick.group]?.selection ?? '') : pick.typed;
}

/** One side's choice: a seed group of the comparison, or a selection typed. */
function SideField(props: {
  label: string;
  pick: Pick;
  sides: readonly IGateSide[];
  onPick: (pick: Pick) => void;
}): React.JSX.Element {
  const trans = useTrans();
  const { pick, sides } = props;
  const id = useId();
  return (
    <>
      <label htmlFor={id}>{props.label}</label>
      <span className="jp-xp-Gate-side">
        <select
          id={id}
          className="jp-xp-Select"
          value={'group' in pick ? String(pick.group) : TYPED}
          onChange={event => {
            const value = event.currentTarget.value;
            props.onPick(
              value === TYPED ? { typed: '' } : { group: Number(value) }
            );
          }}
        >
          {sides.map((side, index) => (
            <option key={side.selection} value={String(index)}>
              {trans._n('%2 (%1 run)', '%2 (%1 runs)', side.runs, side.label)}
            </option>
          ))}
          <option value={TYPED}>{trans.__('A selection…')}</option>
        </select>
        {'typed' in pick && (
          <input
            className="jp-xp-Input"
            aria-label={trans.__('%1 selection', props.label)}
            placeholder="params.width=16, models:/NAME@ALIAS, RUN,RUN"
            value={pick.typed}
            onChange={event =>
              props.onPick({ typed: event.currentTarget.value })
            }
          />
        )}
      </span>
    </>
  );
}

/** The form: sides, metric, direction, min effect, "better" required. */
function GateForm(props: {
  model: GateModel;
  body: CompareBody;
}): React.JSX.Element {
  const trans = useTrans();
  const sides = gateSides(props.body);
  const metrics = gateMetrics(props.body);
  const [baseline, setBaseline] = useState<Pick>(
    sides.length > 0 ? { group: 0 } : { typed: '' }
  );
  const [candidate, setCandidate] = useState<Pick>(
    sides.length > 1 ? { group: 1 } : { typed: '' }
  );
  const [metric, setMetric] = useState(metrics[0] ?? '');
  const [direction, setDirection] = useState<'' | 'maximize' | 'minimize'>('');
  const [minEffect, setMinEffect] = useState('0');
  const [requireBetter, setRequireBetter] = useState(false);
  const ids = { metric: useId(), direction: useId(), effect: useId() };

  const effect = Number(minEffect);
  const effectOk = minEffect.trim() !== '' && Number.isFinite(effect);
  const query: IGateQuery = {
    baseline: selectionOf(baseline, sides).trim(),
    candidate: selectionOf(candidate, sides).trim(),
    metric,
    minEffect: effect,
    requireBetter
  };
  if (direction !== '') {
    query.direction = direction;
  }
  const problem = !effectOk
    ? trans.__('The minimum effect is a number (0 or more).')
    : effect < 0
      ? trans.__('The minimum effect is 0 or more.')
      : metrics.length === 0
        ? trans.__(
            'No compared metric can be gated (system/* metrics are never tested).'
          )
        : query.baseline === '' || query.candidate === ''
          ? trans.__('Give both a baseline and a candidate.')
          : null;
  return (
    <form
      className="jp-xp-Gate-form"
      aria-label={trans.__('Gate against')}
      onSubmit={event => {
        event.preventDefault();
        if (problem === null) {
          void props.model.gate(query);
        }
      }}
    >
      <SideField
        label={trans.__('Baseline')}
        pick={baseline}
        sides={sides}
        onPick={setBaseline}
      />
      <SideField
        label={trans.__('Candidate')}
        pick={candidate}
        sides={sides}
        onPick={setCandidate}
      />
      <label htmlFor={ids.metric}>{trans.__('Metric')}</label>
      <select
        id={ids.metric}
        className="jp-xp-Select"
        value={metric}
        onChange={event => setMetric(event.currentTarget.value)}
      >
        {metrics.map(key => (
          <option key={key} value={key}>
            {key}
          </option>
        ))}
      </select>
      <label htmlFor={ids.direction}>{trans.__('Better when')}</label>
      <select
        id={ids.direction}
        className="jp-xp-Select"
        value={direction}
        onChange={event =>
          setDirection(
            event.currentTarget.value as '' | 'maximize' | 'minimize'
          )
        }
      >
        <option value="">{trans.__('by its name (loss, error: lower)')}</option>
        <option value="maximize">{trans.__('higher (maximize)')}</option>
        <option value="minimize">{trans.__('lower (minimize)')}</option>
      </select>
      <label htmlFor={ids.effect}>{trans.__('Minimum effect')}</label>
      <input
        id={ids.effect}
        className="jp-xp-Input"
        inputMode="decimal"
        value={minEffect}
        onChange={event => setMinEffect(event.currentTarget.value)}
      />
      <span />
      <label className="jp-xp-Label">
        <input
          type="checkbox"
          checked={requireBetter}
          onChange={event => setRequireBetter(event.currentTarget.checked)}
        />
        {trans.__('Pass only when better beyond seed noise')}
      </label>
      <span />
      <span className="jp-xp-Gate-submit">
        <Button
          type="submit"
          primary
          disabled={problem !== null || props.model.state.kind === 'loading'}
        >
          {trans.__('Gate')}
        </Button>
        {problem !== null && <span className="jp-xp-Muted">{problem}</span>}
      </span>
    </form>
  );
}

/** A mean and its number of runs: `0.9012 (n=5)`. */
function meanOf(mean: number | null, n: number): string {
  return `${formatStat(mean)} (n=${n})`;
}

/** The per-metric table of a decision. */
function GateTable(props: {
  metrics: readonly GateMetric[];
}): React.JSX.Element {
  const trans = useTrans();
  return (
    <table className="jp-xp-Table" aria-label={trans.__('Gate per metric')}>
      <TableHead
        columns={[
          trans.__('Metric'),
          trans.__('Direction'),
          trans.__('Baseline mean'),
          trans.__('Candidate mean'),
          trans.__('Difference'),
          trans.__('Adjusted p'),
          trans.__('Detectable difference'),
          trans.__('Decision'),
          trans.__('Why')
        ]}
      />
      <tbody>
        {props.metrics.map(row => (
          <tr key={row.metric}>
            <th scope="row">{row.metric}</th>
            <td>{row.direction}</td>
            <td>{meanOf(row.mean_baseline, row.n_baseline)}</td>
            <td>{meanOf(row.mean_candidate, row.n_candidate)}</td>
            <td>{formatStat(row.difference)}</td>
            <td>
              {row.p_adjusted === null ? MISSING : formatPValue(row.p_adjusted)}
            </td>
            <td>{formatStat(row.detectable_difference)}</td>
            <td>
              <Badge label={row.decision} tone={TONES[row.decision]} />
            </td>
            <td>{row.why}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The gate's decision: overall, why, warnings, then each metric. */
function GateDecision(props: { body: GateBody }): React.JSX.Element {
  const trans = useTrans();
  const { body } = props;
  return (
    <div className="jp-xp-Gate-decision">
      <p role="status" aria-label={trans.__('Gate decision')}>
        <Badge label={body.decision} tone={TONES[body.decision]} />{' '}
        {trans.__(
          'Baseline %1 runs, candidate %2 runs; %3 correction, α = %4, minimum effect %5 (jupyter xp gate exits %6).',
          body.baseline.run_ids.length,
          body.candidate.run_ids.length,
          body.correction === 'holm' ? 'Holm' : 'Benjamini–Hochberg',
          body.alpha,
          formatStat(body.min_effect),
          body.exit_code
        )}
      </p>
      {body.reasons.map(reason => (
        <p key={reason} className="jp-xp-Note" role="note">
          {reason}
        </p>
      ))}
      {body.warnings.map(warning => (
        <p key={warning} className="jp-xp-Note" role="note">
          {warning}
        </p>
      ))}
      <GateTable metrics={body.metrics} />
    </div>
  );
}

/**
 * "Gate against…": a button that opens the gate's form over the compared
 * seed groups; the decision is shown under it, as `jupyter xp gate` would
 * decide it in CI.
 */
export function GatePanel(props: {
  model: GateModel;
  body: CompareBody;
}): React.JSX.Element {
  const { model } = props;
  useModel(model);
  const trans = useTrans();
  const [open, setOpen] = useState(false);
  if (!open) {
    return (
      <Button onClick={() => setOpen(true)}>{trans.__('Gate against…')}</Button>
    );
  }
  const { state } = model;
  return (
    <div className="jp-xp-Gate">
      <p className="jp-xp-Muted">
        {trans.__(
          'Decide whether the candidate is worse than the baseline beyond seed noise: pass, fail, or inconclusive (fewer than 5 seeds a side, a missing metric, sides that differ in more than one seed group).'
        )}{' '}
        <Button
          onClick={() => {
            model.clear();
            setOpen(false);
          }}
        >
          {trans.__('Close')}
        </Button>
      </p>
      <GateForm model={model} body={props.body} />
      {state.kind === 'loading' && <Loading what={trans.__('Gating…')} />}
      {state.kind === 'failed' && (
        <p className="jp-xp-Error" role="alert">
          {trans.__('Could not gate: %1', state.message)}
        </p>
      )}
      {state.kind === 'ready' && <GateDecision body={state.value} />}
    </div>
  );
}
