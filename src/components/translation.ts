// The translation bundle the panel's strings go through (`trans.__(...)`), handed down from the plugin's ITranslator.
import {
  ITranslator,
  nullTranslator,
  TranslationBundle
} from '@jupyterlab/translation';
import React, { useContext } from 'react';

/** The gettext domain of the extension's strings (its Python package name). */
export const TRANSLATION_DOMAIN = 'jupyterlab_xp';

/** The bundle of a translator, or of none (the strings as written). */
export function bundleOf(translator: ITranslator | null): TranslationBundle {
  return (translator ?? nullTranslator).load(TRANSLATION_DOMAIN);
}

/**
 * The bundle the components below a widget's root translate with. Without a
 * provider (a test, an unwired root) the strings show as written.
 */
export const TranslationContext = React.createContext<TranslationBundle>(
  bundleOf(null)
);

/** The translation bundle of the nearest provider. */
export function useTrans(): TranslationBundle {
  return useContext(TranslationContext);
}
