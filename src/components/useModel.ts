// The one subscription of a view to its model: re-render on `changed`, disconnect on unmount.
import { useEffect, useReducer } from 'react';

import type { Model } from '../models/base';

/**
 * Render again whenever `model` emits `changed`; the connection ends when
 * the component unmounts or is given another model. Views read the model's
 * getters while rendering and keep only view state (a selection, an open
 * section) in React.
 *
 * @param model - the model the component renders
 * @returns the model, for convenience
 */
export function useModel<M extends Model>(model: M): M {
  const [, rerender] = useReducer((count: number) => count + 1, 0);
  useEffect(() => {
    const onChanged = (): void => rerender();
    model.changed.connect(onChanged);
    return () => {
      model.changed.disconnect(onChanged);
    };
  }, [model]);
  return model;
}
