// A labelled select (the filters and sort orders), uncontrolled inside a form or controlled with onChange.
import type { ReactNode } from "react";

/** One choice: the value sent and the text shown. */
export interface Choice {
  readonly value: string;
  readonly label: string;
}

/** Props of {@link SelectField}. */
export interface SelectFieldProps {
  readonly label: string;
  readonly name?: string;
  readonly choices: readonly Choice[];
  /** A first choice with the empty value (e.g. "Any"). */
  readonly emptyChoice?: string;
  readonly defaultValue?: string;
  readonly value?: string;
  readonly onChange?: (value: string) => void;
}

/** A select inside its label. */
export function SelectField({ label, name, choices, emptyChoice, defaultValue, value, onChange }: SelectFieldProps): ReactNode {
  return (
    <label>
      {label}
      <select
        name={name}
        defaultValue={defaultValue}
        value={value}
        onChange={onChange === undefined ? undefined : (event) => onChange(event.target.value)}
      >
        {emptyChoice === undefined ? null : <option value="">{emptyChoice}</option>}
        {choices.map((choice) => (
          <option key={choice.value} value={choice.value}>
            {choice.label}
          </option>
        ))}
      </select>
    </label>
  );
}
