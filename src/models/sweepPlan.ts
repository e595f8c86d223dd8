// The Sweep dialog's model: a run's parameters and metrics as a search space, the edited values, and the `POST sweeps` they make.
import type { PlanCode, SweepDetail, SweepRequest } from '../api/types';
import { XpClient } from '../api/client';
import { FormModel } from './form';
import {
  buildSweepRequest,
  initialSweepValues,
  ISweepFormValues
} from './sweepForm';

/** What the Sweep form is filled from: the source's parameters and metrics. */
export interface ISweepPlan {
  /** The parameters cell's values, typed (the Promote plan's). */
  readonly params: Readonly<Record<string, unknown>>;
  /** The source run's metric names (the objective's choices). */
  readonly metrics: readonly string[];
  /**
   * The code every trial runs (the Promote plan's default order), shown in
   * the dialog; its digest goes with the request. `undefined` when the
   * server could not list it.
   */
  readonly code: PlanCode | undefined;
}

/**
 * What the Sweep dialog shows and sends: the source run's parameters (what
 * its parameters cell defines, from the Promote plan), metrics and the code
 * every trial runs, the values as edited, and the `POST sweeps` they make,
 * which carries the digest of the code shown.
 */
export class SweepPlanModel extends FormModel<
  ISweepPlan,
  ISweepFormValues,
  SweepRequest,
  SweepDetail
> {
  /**
   * @param client - the REST client
   * @param runId - the source run
   */
  constructor(
    private readonly client: XpClient,
    readonly runId: string
  ) {
    super();
  }

  protected async fetchPlan(): Promise<ISweepPlan> {
    const [plan, run] = await Promise.all([
      this.client.promotePlan({ runId: this.runId }),
      this.client.run(this.runId)
    ]);
    return {
      params: plan.params,
      metrics: Object.keys(run.metrics),
      code: plan.code[plan.default_order]
    };
  }

  protected initialValues(plan: ISweepPlan): ISweepFormValues {
    return initialSweepValues(plan.params, plan.metrics);
  }

  protected buildRequest(
    plan: ISweepPlan,
    values: ISweepFormValues
  ): SweepRequest | string {
    const request = buildSweepRequest(this.runId, values);
    // The digest of the code the dialog showed: the server refuses the sweep
    // when that is no longer the code its trials would run.
    return typeof request === 'string'
      ? request
      : { ...request, code_sha256: plan.code?.sha256 ?? null };
  }

  protected send(request: SweepRequest): Promise<SweepDetail> {
    return this.client.startSweep(request);
  }
}
