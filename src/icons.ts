// The extension's icon.
import { LabIcon } from '@jupyterlab/ui-components';

import xpSvgstr from '../style/icons/xp.svg';

export const xpIcon = new LabIcon({
  name: 'jupyterlab-xp:xp',
  svgstr: xpSvgstr
});
