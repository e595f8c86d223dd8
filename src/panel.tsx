import { ServerConnection } from '@jupyterlab/services';
import { ReactWidget } from '@jupyterlab/ui-components';
import React, { useEffect, useState } from 'react';

import { IConfigResponse, requestAPI } from './handler';
import { xpIcon } from './icons';
import { PANEL_ID } from './tokens';

/**
 * The Experiments panel in the left sidebar.
 *
 * For now it says where runs are stored; the run history comes in a later
 * version, with a model between this widget and the request helper.
 */
export class XpPanel extends ReactWidget {
  /**
   * @param settings - the Jupyter server connection the panel reads from
   */
  constructor(private readonly settings: ServerConnection.ISettings) {
    super();
    this.id = PANEL_ID;
    this.title.icon = xpIcon;
    this.title.label = 'Experiments';
    this.title.caption = 'jupyterlab-xp: experiment runs';
    this.addClass('jp-xp-Panel');
  }

  protected render(): React.JSX.Element {
    return <PanelView settings={this.settings} />;
  }
}

type StoreState =
  | { status: 'loading' }
  | { status: 'ready'; store: string }
  | { status: 'failed'; message: string };

function PanelView(props: {
  settings: ServerConnection.ISettings;
}): React.JSX.Element {
  const [store, setStore] = useState<StoreState>({ status: 'loading' });

  useEffect(() => {
    let current = true;
    requestAPI<IConfigResponse>('config', {}, props.settings)
      .then(config => {
        if (current) {
          setStore(
            typeof config?.store === 'string'
              ? { status: 'ready', store: config.store }
              : { status: 'failed', message: 'the answer names no store' }
          );
        }
      })
      .catch((error: Error) => {
        if (current) {
          setStore({ status: 'failed', message: error.message });
        }
      });
    return () => {
      current = false;
    };
  }, [props.settings]);

  return (
    <div className="jp-xp-Panel-content">
      <h2 className="jp-xp-Panel-heading">jupyterlab-xp</h2>
      <p>The run history arrives in a later version.</p>
      <StoreLine state={store} />
    </div>
  );
}

/**
 * Where runs are stored, or why that is unknown. Server strings are rendered
 * as text nodes only.
 */
function StoreLine(props: { state: StoreState }): React.JSX.Element {
  const { state } = props;
  switch (state.status) {
    case 'loading':
      return <p className="jp-xp-Panel-store">Store: reading…</p>;
    case 'ready':
      return <p className="jp-xp-Panel-store">Store: {state.store}</p>;
    case 'failed':
      return (
        <p className="jp-xp-Panel-store jp-xp-Panel-error" role="alert">
          Could not read the store configuration: {state.message}
        </p>
      );
  }
}
