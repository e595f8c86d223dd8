// A registered model version's lineage (version → run, data, code, environment): every lineage tag as text, and the source run as a link.
import React from 'react';

import { ModelLineageModel } from '../../models/modelLineage';
import { Button, Loading } from '../common';
import { useModel } from '../useModel';
import { useTrans } from '../translation';
import { RunLink } from './Reproduction';

/** The lineage of the version `model` holds, with a Close button. */
export function ModelLineageView(props: {
  model: ModelLineageModel;
  onOpenRun: (runId: string) => void;
  onClose: () => void;
}): React.JSX.Element {
  const { model, onOpenRun, onClose } = props;
  useModel(model);
  const trans = useTrans();
  const { state } = model;
  const title = trans.__('Lineage of %1 version %2', model.name, model.number);
  const close = <Button onClick={onClose}>{trans.__('Close')}</Button>;
  if (state.kind === 'loading') {
    return <Loading what={trans.__('Reading the version’s lineage…')} />;
  }
  if (state.kind === 'failed') {
    return (
      <p className="jp-xp-Error" role="alert">
        {trans.__(
          'Could not read the lineage of %1 version %2: %3',
          model.name,
          model.number,
          state.message
        )}{' '}
        <Button onClick={() => void model.load()}>{trans.__('Retry')}</Button>{' '}
        {close}
      </p>
    );
  }
  const { run_id, source, lineage, unreadable } = state.value;
  return (
    <section className="jp-xp-Lineage" aria-label={title}>
      <h4>{title}</h4>
      <table className="jp-xp-Table" aria-label={trans.__('Lineage')}>
        <tbody>
          <tr>
            <th scope="row">{trans.__('Source run')}</th>
            <td>
              {run_id !== null ? (
                <RunLink runId={run_id} onOpenRun={onOpenRun} />
              ) : (
                <span className="jp-xp-Muted">{trans.__('none')}</span>
              )}
            </td>
          </tr>
          {source !== null && (
            <tr>
              <th scope="row">{trans.__('Source')}</th>
              <td>
                <code>{source}</code>
              </td>
            </tr>
          )}
          {Object.entries(lineage).map(([key, value]) => (
            <tr key={key}>
              <th scope="row">{key}</th>
              <td>
                <code className="jp-xp-LineageValue">{value}</code>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {Object.keys(lineage).length === 0 && (
        <p className="jp-xp-Muted">
          {trans.__(
            'No lineage tags: this version was not registered by jupyter xp register.'
          )}
        </p>
      )}
      {unreadable.length > 0 && (
        <p className="jp-xp-Note" role="note">
          {trans.__('Left out, unreadable in the registry:')}{' '}
          {unreadable.join('; ')}
        </p>
      )}
      {close}
    </section>
  );
}
