// The Experiments panel and the main-area tabs (run, comparison, promotions), and the commands that open them.
import { ILayoutRestorer, JupyterFrontEnd } from '@jupyterlab/application';
import { MainAreaWidget, WidgetTracker } from '@jupyterlab/apputils';
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { TranslationBundle } from '@jupyterlab/translation';

import type { Promotion } from '../api/types';
import { XpClient } from '../api/client';
import { runLabel } from '../format';
import { xpIcon } from '../icons';
import { CompareModel } from '../models/compare';
import { PromotionsModel } from '../models/promotions';
import { RunDetailModel } from '../models/runDetail';
import { RunListModel } from '../models/runList';
import { CommandIDs, PANEL_ID, TrackerNamespaces } from '../tokens';
import { XpPanel } from '../widgets/panel';
import {
  CompareWidget,
  PromotionsWidget,
  RunDetailWidget
} from '../widgets/tabs';
import { idsArg, runIdArg } from './args';

/**
 * Adds the Experiments panel to the left sidebar and registers the commands
 * that open a run, a comparison and the Promotions tab. Each tab is created
 * once and brought to the front when asked for again; the layout restorer
 * reopens them with the page.
 */
export class XpTabs {
  /**
   * @param app - the JupyterLab application
   * @param client - the REST client the tabs' models use
   * @param serverRoot - the server's root folder
   * @param restorer - reopens the panel and the tabs with the page, if given
   * @param rendermime - renders runs' notes (Markdown, sanitized), if given
   * @param trans - the translation bundle
   */
  constructor(
    private readonly app: JupyterFrontEnd,
    private readonly client: XpClient,
    private readonly serverRoot: string,
    restorer: ILayoutRestorer | null,
    private readonly rendermime: IRenderMimeRegistry | null,
    private readonly trans: TranslationBundle
  ) {
    this.runs = new RunListModel(client);
    const panel = new XpPanel(
      this.runs,
      {
        onOpenRun: this._openRun,
        onCompare: ids =>
          void app.commands.execute(CommandIDs.openCompare, { ids })
      },
      trans
    );
    app.shell.add(panel, 'left', { rank: 600 });
    restorer?.add(panel, PANEL_ID);
    this._addCommands();
    if (restorer) {
      void restorer.restore(this._promotionTabs, {
        command: CommandIDs.openPromotions,
        name: () => 'promotions'
      });
      void restorer.restore(this._runs, {
        command: CommandIDs.openRun,
        args: widget => ({ runId: widget.content.runId }),
        name: widget => widget.content.runId
      });
      void restorer.restore(this._comparisons, {
        command: CommandIDs.openCompare,
        args: widget => ({ ids: [...widget.content.runIds] }),
        name: widget => widget.content.runIds.join(',')
      });
    }
  }

  /** The Experiments panel's run list (it reads its view from the settings). */
  readonly runs: RunListModel;

  /**
   * Show a promotion's progress where it belongs: in its source run's tab,
   * else (a notebook without a recorded run) in the Promotions tab.
   */
  showPromotion(promotion: Promotion): void {
    if (promotion.source_run_id !== null) {
      this._showRun(promotion.source_run_id).content.model.promotions.add(
        promotion
      );
    } else {
      this._showPromotions().content.model.add(promotion);
    }
  }

  private _addCommands(): void {
    const { commands, shell } = this.app;
    const { trans } = this;
    commands.addCommand(CommandIDs.openPanel, {
      label: trans.__('Show Experiments'),
      caption: trans.__('Open the jupyterlab-xp Experiments panel'),
      icon: xpIcon,
      execute: () => {
        shell.activateById(PANEL_ID);
      }
    });

    commands.addCommand(CommandIDs.openRun, {
      label: trans.__('Open Run'),
      caption: trans.__('Show everything recorded for a run'),
      icon: xpIcon,
      describedBy: {
        args: {
          type: 'object',
          properties: { runId: { type: 'string' } },
          required: ['runId']
        }
      },
      execute: args => this._showRun(runIdArg(args))
    });

    commands.addCommand(CommandIDs.openCompare, {
      label: trans.__('Compare Runs'),
      caption: trans.__('Compare two or more runs side by side'),
      icon: xpIcon,
      describedBy: {
        args: {
          type: 'object',
          properties: { ids: { type: 'array', items: { type: 'string' } } },
          required: ['ids']
        }
      },
      execute: args => this._showComparison(idsArg(args))
    });

    commands.addCommand(CommandIDs.openPromotions, {
      label: trans.__('Show Promotions'),
      caption: trans.__('Promotion jobs: progress, promoted runs and verdicts'),
      icon: xpIcon,
      execute: () => this._showPromotions()
    });
  }

  private readonly _openRun = (runId: string): void => {
    void this.app.commands.execute(CommandIDs.openRun, { runId });
  };

  /** The run's tab, brought to the front (created when it is not open). */
  private _showRun(runId: string): MainAreaWidget<RunDetailWidget> {
    const { commands } = this.app;
    let widget = this._runs.find(w => w.content.runId === runId);
    if (!widget) {
      const content = new RunDetailWidget(
        new RunDetailModel(this.client, runId),
        this.serverRoot,
        {
          onOpenNotebook: path =>
            void commands.execute('docmanager:open', { path }),
          onOpenRun: this._openRun,
          onPromote: run =>
            void commands.execute(CommandIDs.promote, {
              runId: run.run_id,
              label: runLabel(run)
            }),
          onSweep: run =>
            void commands.execute(CommandIDs.sweep, {
              runId: run.run_id,
              label: runLabel(run)
            }),
          onOpenSweep: sweepId =>
            void commands.execute(CommandIDs.openSweep, { sweepId })
        },
        this.rendermime,
        this.trans
      );
      widget = new MainAreaWidget({ content });
      widget.id = `jupyterlab-xp-run-${runId}`;
      void this._runs.add(widget);
      this.app.shell.add(widget, 'main');
    }
    this.app.shell.activateById(widget.id);
    return widget;
  }

  /** The comparison's tab, brought to the front (created when not open). */
  private _showComparison(ids: string[]): MainAreaWidget<CompareWidget> {
    const key = ids.join(',');
    let widget = this._comparisons.find(
      w => w.content.runIds.join(',') === key
    );
    if (!widget) {
      const content = new CompareWidget(
        new CompareModel(this.client, ids),
        this._openRun,
        this.trans
      );
      widget = new MainAreaWidget({ content });
      widget.id = `jupyterlab-xp-compare-${ids.join('-')}`;
      void this._comparisons.add(widget);
      this.app.shell.add(widget, 'main');
    }
    this.app.shell.activateById(widget.id);
    return widget;
  }

  /** The Promotions tab, brought to the front (created when it is not open). */
  private _showPromotions(): MainAreaWidget<PromotionsWidget> {
    let widget = this._promotionTabs.currentWidget;
    if (!widget) {
      const content = new PromotionsWidget(
        new PromotionsModel(this.client, null),
        this._openRun,
        this.trans
      );
      widget = new MainAreaWidget({ content });
      widget.id = 'jupyterlab-xp-promotions';
      void this._promotionTabs.add(widget);
      this.app.shell.add(widget, 'main');
    }
    this.app.shell.activateById(widget.id);
    return widget;
  }

  private readonly _runs = new WidgetTracker<MainAreaWidget<RunDetailWidget>>({
    namespace: TrackerNamespaces.run
  });
  private readonly _comparisons = new WidgetTracker<
    MainAreaWidget<CompareWidget>
  >({ namespace: TrackerNamespaces.compare });
  private readonly _promotionTabs = new WidgetTracker<
    MainAreaWidget<PromotionsWidget>
  >({ namespace: TrackerNamespaces.promotions });
}
