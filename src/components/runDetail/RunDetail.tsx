// A run's main-area view: every section of what was recorded for it.
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import React from 'react';

import type { RunDetail } from '../../models/types';
import { RunDetailModel } from '../../models/runDetail';
import { ErrorState, Loading, Section } from '../common';
import { PromotionListView } from '../Promotion';
import { ArchiveButton, ArchivedBanner, EditError } from './Archive';
import {
  cellsNote,
  CellTimeline,
  OrderVerdict,
  TimeVerdict
} from './CellJournal';
import { Checkpoints } from './Checkpoints';
import { Datasets } from './Datasets';
import { Environment } from './Environment';
import { Git } from './Git';
import { Hardware } from './Hardware';
import { Header } from './Header';
import { MetricsTable } from './Metrics';
import { ModelVersions } from './ModelVersions';
import { NoteEditor } from './NoteEditor';
import { ParamsTable } from './Parameters';
import { Recording } from './Recording';
import { PromotedRuns, Reproduction } from './Reproduction';
import { RunName } from './RunName';
import { Seeds } from './Seeds';
import { useModel } from '../useModel';
import { useTrans } from '../translation';
import { TagEditor } from './TagEditor';

/** Props of {@link RunDetailView}. */
export interface IRunDetailViewProps {
  model: RunDetailModel;
  /** The server's root folder, to tell whether a notebook can be opened. */
  serverRoot: string;
  /** Open a notebook by its path relative to the server root. */
  onOpenNotebook: (path: string) => void;
  /** Open another run's detail (a promoted run, a source run). */
  onOpenRun: (runId: string) => void;
  /** Open the Promote dialog for this run. */
  onPromote: (run: RunDetail) => void;
  /** Open the Sweep dialog for this run. */
  onSweep?: (run: RunDetail) => void;
  /** Open a sweep's tab (for a sweep's run or a trial's). */
  onOpenSweep?: (sweepId: string) => void;
  /** Renders the note's Markdown (sanitized); plain text without it. */
  rendermime: IRenderMimeRegistry | null;
}

/**
 * Everything recorded for one run: header, reproduction (for a promoted run),
 * promotions, params, metrics with curves, seeds, environment, hardware, git,
 * the cell journal and notes.
 */
export function RunDetailView(props: IRunDetailViewProps): React.JSX.Element {
  const { model, onOpenRun } = props;
  useModel(model);
  const trans = useTrans();
  const { run, error } = model;
  if (run === null) {
    return (
      <div className="jp-xp-Detail">
        {error !== null ? (
          <ErrorState
            what={trans.__('Could not read run %1', model.runId)}
            message={error}
            onRetry={() => model.refresh()}
            retrying={model.retrying}
          />
        ) : (
          <Loading what={trans.__('Loading the run…')} />
        )}
      </div>
    );
  }
  return (
    <div className="jp-xp-Detail">
      {error !== null && (
        <ErrorState
          what={trans.__('Could not refresh the run')}
          message={error}
          onRetry={() => model.refresh()}
          retrying={model.retrying}
        />
      )}
      <Header
        run={run}
        serverRoot={props.serverRoot}
        onOpenNotebook={props.onOpenNotebook}
        onPromote={props.onPromote}
        onSweep={props.onSweep}
        onOpenSweep={props.onOpenSweep}
        title={<RunName model={model} run={run} />}
        actions={<ArchiveButton model={model} run={run} />}
      />
      <ArchivedBanner run={run} />
      <EditError model={model} />
      {run.artifacts_error && (
        <div className="jp-xp-ErrorState" role="alert">
          <p>
            <strong>Store unreachable, retrying…</strong> The run&apos;s
            recorded files (seeds, environment, cell journal…) could not be
            read: {run.artifacts_error}
          </p>
        </div>
      )}
      {Object.keys(run.unreadable ?? {}).length > 0 && (
        <p className="jp-xp-Note" role="note">
          {trans.__('Unreadable in the store, shown empty:')}{' '}
          {Object.entries(run.unreadable ?? {})
            .map(([field, reason]) => `${field}: ${reason}`)
            .join('; ')}
        </p>
      )}
      {(run.source_run_id !== null || run.verification !== null) && (
        <Section title={trans.__('Reproduction')}>
          <Reproduction run={run} onOpenRun={onOpenRun} />
        </Section>
      )}
      <Section title={trans.__('Promotions')}>
        <PromotedRuns runIds={run.promoted_runs} onOpenRun={onOpenRun} />
        <PromotionListView
          model={model.promotions}
          onOpenRun={onOpenRun}
          empty={
            run.promoted_runs.length === 0 ? (
              <p className="jp-xp-Muted">
                Not promoted yet. Promote replays this run as a parameterized,
                tracked job and checks that it reproduces the metrics.
              </p>
            ) : null
          }
        />
      </Section>
      <Section title={trans.__('Recording')}>
        <Recording run={run} />
      </Section>
      <Section title={trans.__('Parameters')}>
        <ParamsTable params={run.params} />
      </Section>
      <Section title={trans.__('Metrics')}>
        <MetricsTable run={run} model={model} />
      </Section>
      <Section title={trans.__('Datasets')}>
        <Datasets run={run} />
      </Section>
      <Section title={trans.__('Checkpoints')}>
        <Checkpoints run={run} />
      </Section>
      <Section title={trans.__('Registered models')}>
        <ModelVersions model={model.versions} onOpenRun={onOpenRun} />
      </Section>
      <Section title={trans.__('Cell journal')} note={cellsNote(run)}>
        <OrderVerdict order={run.order} />
        <TimeVerdict verdict={run.time_verdict} />
        <CellTimeline
          cells={run.cells_journal}
          profiles={run.profiles}
          unavailable={Boolean(run.artifacts_error)}
        />
      </Section>
      <Section title={trans.__('Seeds and determinism')}>
        <Seeds seeds={run.seeds} />
      </Section>
      <Section title={trans.__('Environment')}>
        <Environment environment={run.environment} />
      </Section>
      <Section title={trans.__('Hardware')}>
        <Hardware hardware={run.hardware} device={run.tags['xp.device']} />
      </Section>
      <Section title={trans.__('Git')}>
        <Git git={run.git} />
      </Section>
      <Section title={trans.__('Notes')}>
        <NoteEditor model={model} run={run} rendermime={props.rendermime} />
      </Section>
      <Section title={trans.__('Tags')}>
        <TagEditor model={model} run={run} />
      </Section>
    </div>
  );
}
