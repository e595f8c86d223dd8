// The Promote dialog's model: the server's plan for a run or notebook, the edited values, and the `POST promotions` they make.
import type { PromotePlan, PromoteRequest, Promotion } from '../api/types';
import { PromoteSource, XpClient } from '../api/client';
import { FormModel } from './form';
import { buildRequest, initialValues, IPromoteFormValues } from './promoteForm';

/**
 * What the Promote dialog shows and sends: the plan of `GET promote-plan`
 * (source, provenance, parameters, orders and the code each runs), the
 * values as edited, and the `POST promotions` they make, which carries the
 * digest of the code the dialog showed.
 */
export class PromotePlanModel extends FormModel<
  PromotePlan,
  IPromoteFormValues,
  PromoteRequest,
  Promotion
> {
  /**
   * @param client - the REST client
   * @param source - the run or notebook to promote
   */
  constructor(
    private readonly client: XpClient,
    readonly source: PromoteSource
  ) {
    super();
  }

  protected fetchPlan(): Promise<PromotePlan> {
    return this.client.promotePlan(this.source);
  }

  protected initialValues(plan: PromotePlan): IPromoteFormValues {
    return initialValues(plan);
  }

  protected buildRequest(
    plan: PromotePlan,
    values: IPromoteFormValues
  ): PromoteRequest | string {
    return buildRequest(plan, this.source, values);
  }

  protected send(request: PromoteRequest): Promise<Promotion> {
    return this.client.promote(request);
  }
}
