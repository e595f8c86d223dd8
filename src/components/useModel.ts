// The one subscription of a view to its model: re-render on `changed`, disconnect on unmount.
import { useCallback, useSyncExternalStore } from 'react';

import type { Model } from '../models/base';

/**
 * Render again whenever `model` emits `changed`; the connection ends when
 * the component unmounts or is given another model. The model's `version` is
 * the snapshot, so a change between a render and the subscription (a plan
 * that arrives before a dialog's first effects run) is not missed. Views
 * read the model's getters while rendering and keep only view state (a
 * selection, an open section) in React.
 *
 * @param model - the model the component renders
 * @returns the model, for convenience
 */
export function useModel<M extends Model>(model: M): M {
  const subscribe = useCallback(
    (onChange: () => void) => {
      const slot = (): void => onChange();
      model.changed.connect(slot);
      return () => {
        model.changed.disconnect(slot);
      };
    },
    [model]
  );
  useSyncExternalStore(subscribe, () => model.version);
  return model;
}
