// The fields the Promote and Sweep dialogs share: a labelled text input, a labelled select, and the line that says what is wrong or on its way.
import React from 'react';

import { Loading } from './common';

/** A labelled text input of a dialog's grid, with an optional note after it. */
export function TextField(props: {
  id: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
  placeholder?: string;
  /** A number field: narrow, with the matching on-screen keyboard. */
  inputMode?: 'decimal' | 'numeric';
  note?: string;
}): React.JSX.Element {
  const { id, inputMode } = props;
  return (
    <>
      <label htmlFor={id}>{props.label}</label>
      <div>
        <input
          id={id}
          className={
            inputMode === undefined
              ? 'jp-xp-Input'
              : 'jp-xp-Input jp-xp-PromoteForm-number'
          }
          type="text"
          spellCheck={false}
          inputMode={inputMode}
          placeholder={props.placeholder}
          value={props.value}
          onChange={event => props.onChange(event.currentTarget.value)}
        />
        {props.note !== undefined && (
          <span className="jp-xp-Muted">{` ${props.note}`}</span>
        )}
      </div>
    </>
  );
}

/** A labelled select of a dialog's grid, with an optional note after it. */
export function Choice<T extends string>(props: {
  id: string;
  label: string;
  value: T;
  options: readonly T[];
  onChange: (value: T) => void;
  /** How each option reads; the option itself by default. */
  optionLabel?: (option: T) => string;
  note?: string;
}): React.JSX.Element {
  const { optionLabel = (option: T) => option } = props;
  return (
    <>
      <label htmlFor={props.id}>{props.label}</label>
      <div>
        <select
          id={props.id}
          className="jp-xp-Select"
          value={props.value}
          onChange={event => props.onChange(event.currentTarget.value as T)}
        >
          {props.options.map(option => (
            <option key={option} value={option}>
              {optionLabel(option)}
            </option>
          ))}
        </select>
        {props.note !== undefined && (
          <span className="jp-xp-Muted">{` ${props.note}`}</span>
        )}
      </div>
    </>
  );
}

/** What to fix or why the server refused (an alert), and the request on its way. */
export function FormStatus(props: {
  error: string | null;
  busy: boolean;
  busyText: string;
}): React.JSX.Element {
  return (
    <>
      {props.error !== null && (
        <p className="jp-xp-PromoteForm-error" role="alert">
          {props.error}
        </p>
      )}
      {props.busy && <Loading what={props.busyText} />}
    </>
  );
}
