// A form's model rendered (the Promote and Sweep dialogs' bodies): the plan loading or failed, else the fields and what is wrong or on its way.
import React from 'react';

import type { FormModel } from '../models/form';
import { ErrorState, Loading } from './common';
import { FormStatus } from './formFields';
import { useModel } from './useModel';

/** What a form's view says (translated) while loading, on failure and while sending, and its fields. */
export interface IFormView<P, V> {
  /** Shown while the plan is read. */
  loading: string;
  /** Heads the failure to read the plan. */
  failed: string;
  /** Shown while the request is on its way. */
  busy: string;
  /** The fields for a plan and the current values. */
  fields: (
    plan: P,
    values: V,
    onChange: (values: V) => void
  ) => React.JSX.Element;
}

/** A form's model rendered: the plan loading or failed, else its fields and status. */
export function FormView<P, V>(props: {
  model: FormModel<P, V, object, unknown>;
  view: IFormView<P, V>;
}): React.JSX.Element {
  const { model, view } = props;
  useModel(model);
  const { plan, values } = model;
  if (plan.kind === 'loading' || (plan.kind === 'ready' && values === null)) {
    return <Loading what={view.loading} />;
  }
  if (plan.kind === 'failed') {
    return (
      <ErrorState
        what={view.failed}
        message={plan.message}
        onRetry={() => void model.load()}
      />
    );
  }
  return (
    <>
      {view.fields(plan.value, values as V, changed =>
        model.setValues(changed)
      )}
      <FormStatus error={model.error} busy={model.busy} busyText={view.busy} />
    </>
  );
}
