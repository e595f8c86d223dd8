// A run's registered model versions (lineage run → versions): name, version and aliases from MLflow's registry.
import React from 'react';

import { ModelVersionsModel } from '../../models/modelVersions';
import { Badge, Button, Loading } from '../common';
import { useModel } from '../useModel';
import { useTrans } from '../translation';
import { ModelLineageView } from './ModelLineage';

/**
 * The versions table, or a line saying how to register the run. A version's
 * number opens its lineage below the table.
 */
export function ModelVersions(props: {
  model: ModelVersionsModel;
  onOpenRun: (runId: string) => void;
}): React.JSX.Element {
  const { model, onOpenRun } = props;
  useModel(model);
  const trans = useTrans();
  const { state } = model;
  const refresh = (
    <Button onClick={() => void model.load()}>{trans.__('Refresh')}</Button>
  );
  if (state.kind === 'loading') {
    return <Loading what={trans.__('Reading the model registry…')} />;
  }
  if (state.kind === 'failed') {
    return (
      <p className="jp-xp-Error" role="alert">
        {trans.__('Could not read the model registry: %1', state.message)}{' '}
        {refresh}
      </p>
    );
  }
  const { versions, unreadable } = state.value;
  const { lineage } = model;
  return (
    <>
      {versions.length === 0 ? (
        <p className="jp-xp-Muted">
          {trans.__('Not registered.')}{' '}
          <code>jupyter xp register RUN[:CHECKPOINT] NAME --alias staging</code>{' '}
          {trans.__('registers it with its lineage.')} {refresh}
        </p>
      ) : (
        <>
          <table
            className="jp-xp-Table"
            aria-label={trans.__('Registered models')}
          >
            <thead>
              <tr>
                <th scope="col">{trans.__('Model')}</th>
                <th scope="col">{trans.__('Version')}</th>
                <th scope="col">{trans.__('Aliases')}</th>
              </tr>
            </thead>
            <tbody>
              {versions.map(version => (
                <tr key={`${version.name}/${version.version}`}>
                  <th scope="row">{version.name}</th>
                  <td>
                    <button
                      type="button"
                      className="jp-xp-Link"
                      aria-expanded={
                        lineage?.name === version.name &&
                        lineage.number === version.version
                      }
                      title={trans.__('Show its lineage')}
                      onClick={() =>
                        model.toggleLineage(version.name, version.version)
                      }
                    >
                      {version.version}
                    </button>
                  </td>
                  <td>
                    {version.aliases.map(alias => (
                      <React.Fragment key={alias}>
                        <Badge label={alias} tone="info" />{' '}
                      </React.Fragment>
                    ))}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {refresh}
          {lineage !== null && (
            <ModelLineageView
              key={`${lineage.name}/${lineage.number}`}
              model={lineage}
              onOpenRun={onOpenRun}
              onClose={() => model.toggleLineage(lineage.name, lineage.number)}
            />
          )}
        </>
      )}
      {unreadable.length > 0 && (
        <p className="jp-xp-Note" role="note">
          {trans.__('Left out, unreadable in the registry:')}{' '}
          {unreadable.join('; ')}
        </p>
      )}
    </>
  );
}
