// The Sweep dialog's command (from a run's tab) and the sweep tabs: one sweep's view and the list of sweeps.
import { ILayoutRestorer, JupyterFrontEnd } from '@jupyterlab/application';
import { MainAreaWidget, WidgetTracker } from '@jupyterlab/apputils';
import { TranslationBundle } from '@jupyterlab/translation';

import type { SweepDetail } from '../api/types';
import { XpClient } from '../api/client';
import { showSweepDialog } from '../components/sweep/SweepDialog';
import { xpIcon } from '../icons';
import { SweepDetailModel, SweepListModel } from '../models/sweeps';
import { SweepPlanModel } from '../models/sweepPlan';
import { CommandIDs, TrackerNamespaces } from '../tokens';
import { SweepsWidget, SweepWidget } from '../widgets/sweep';
import { stringArg } from './args';

/**
 * Registers the Sweep command (the dialog, for a run), the command that opens
 * a sweep's tab, and the one that opens the Sweeps tab. A sweep the dialog
 * starts opens at once; the layout restorer reopens the tabs with the page.
 */
export class SweepViews {
  /**
   * @param app - the JupyterLab application
   * @param client - the REST client
   * @param restorer - reopens the sweep tabs with the page, if given
   * @param trans - the translation bundle
   */
  constructor(
    private readonly app: JupyterFrontEnd,
    private readonly client: XpClient,
    restorer: ILayoutRestorer | null,
    private readonly trans: TranslationBundle
  ) {
    this._addCommands();
    if (restorer) {
      void restorer.restore(this._sweeps, {
        command: CommandIDs.openSweep,
        args: widget => ({ sweepId: widget.content.sweepId }),
        name: widget => widget.content.sweepId
      });
      void restorer.restore(this._lists, {
        command: CommandIDs.openSweeps,
        name: () => 'sweeps'
      });
    }
  }

  private _addCommands(): void {
    const { commands } = this.app;
    const { trans } = this;
    commands.addCommand(CommandIDs.sweep, {
      label: trans.__('Sweep Run…'),
      caption: trans.__(
        'Search a run’s parameters with Optuna: every trial is a tracked promotion'
      ),
      icon: xpIcon,
      describedBy: {
        args: {
          type: 'object',
          properties: {
            runId: { type: 'string' },
            label: { type: 'string' }
          },
          required: ['runId']
        }
      },
      isEnabled: args => stringArg(args, 'runId') !== null,
      execute: async args => {
        const runId = stringArg(args, 'runId');
        if (runId === null) {
          return;
        }
        const label = stringArg(args, 'label') ?? runId.slice(0, 8);
        const sweep = await showSweepDialog(
          new SweepPlanModel(this.client, runId),
          label,
          trans
        );
        if (sweep !== null) {
          this._showSweep(sweep.run_id, sweep);
        }
      }
    });

    commands.addCommand(CommandIDs.openSweep, {
      label: trans.__('Open Sweep'),
      caption: trans.__('Show a sweep: its trials, best trial and charts'),
      icon: xpIcon,
      describedBy: {
        args: {
          type: 'object',
          properties: { sweepId: { type: 'string' } },
          required: ['sweepId']
        }
      },
      execute: args => {
        const sweepId = stringArg(args, 'sweepId');
        if (sweepId === null) {
          throw new Error(`${CommandIDs.openSweep} needs a sweepId`);
        }
        return this._showSweep(sweepId);
      }
    });

    commands.addCommand(CommandIDs.openSweeps, {
      label: trans.__('Show Sweeps'),
      caption: trans.__('Every sweep: its state, objective and best value'),
      icon: xpIcon,
      execute: () => this._showSweeps()
    });
  }

  private readonly _openRun = (runId: string): void => {
    void this.app.commands.execute(CommandIDs.openRun, { runId });
  };

  private readonly _openSweep = (sweepId: string): void => {
    void this.app.commands.execute(CommandIDs.openSweep, { sweepId });
  };

  /** The sweep's tab, brought to the front (created when it is not open). */
  private _showSweep(
    sweepId: string,
    started: SweepDetail | null = null
  ): MainAreaWidget<SweepWidget> {
    let widget = this._sweeps.find(w => w.content.sweepId === sweepId);
    if (!widget) {
      const content = new SweepWidget(
        new SweepDetailModel(this.client, sweepId, started),
        this._openRun,
        this.trans
      );
      widget = new MainAreaWidget({ content });
      widget.id = `jupyterlab-xp-sweep-${sweepId}`;
      void this._sweeps.add(widget);
      this.app.shell.add(widget, 'main');
    }
    this.app.shell.activateById(widget.id);
    return widget;
  }

  /** The Sweeps tab, brought to the front (created when it is not open). */
  private _showSweeps(): MainAreaWidget<SweepsWidget> {
    let widget = this._lists.currentWidget;
    if (!widget) {
      const content = new SweepsWidget(
        new SweepListModel(this.client),
        this._openSweep,
        this.trans
      );
      widget = new MainAreaWidget({ content });
      widget.id = 'jupyterlab-xp-sweeps';
      void this._lists.add(widget);
      this.app.shell.add(widget, 'main');
    }
    this.app.shell.activateById(widget.id);
    return widget;
  }

  private readonly _sweeps = new WidgetTracker<MainAreaWidget<SweepWidget>>({
    namespace: TrackerNamespaces.sweep
  });
  private readonly _lists = new WidgetTracker<MainAreaWidget<SweepsWidget>>({
    namespace: TrackerNamespaces.sweeps
  });
}
