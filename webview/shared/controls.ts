// VS Code-styled controls from @vscode-elements/elements (the maintained successor of Microsoft's
// deprecated webview-ui-toolkit): themed by VS Code's CSS variables, keyboard-accessible, role=button.
// Only the components used are imported, so each panel bundle stays small.
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import type { VscodeButton } from '@vscode-elements/elements/dist/vscode-button/vscode-button.js';
import type { VscodeSingleSelect } from '@vscode-elements/elements/dist/vscode-single-select/vscode-single-select.js';
import type { VscodeTextfield } from '@vscode-elements/elements/dist/vscode-textfield/vscode-textfield.js';
import { el } from './host';

export interface ButtonOptions {
  /** The accessible name when the label alone is ambiguous (e.g. "SVG"). */
  readonly ariaLabel?: string;
  readonly secondary?: boolean;
  readonly disabled?: boolean;
  readonly small?: boolean;
}

/** A button that calls `onClick` when pressed (mouse, Enter or Space) and is not disabled. */
export function button(label: string, onClick: () => void, options: ButtonOptions = {}): VscodeButton {
  const b = el('vscode-button', options.small === true ? { class: 'small' } : {}, label);
  if (options.ariaLabel !== undefined) b.setAttribute('aria-label', options.ariaLabel);
  b.secondary = options.secondary === true;
  setDisabled(b, options.disabled === true);
  b.addEventListener('click', () => {
    if (!b.disabled) onClick();
  });
  return b;
}

/** Disables a button for pointer, keyboard and assistive technology alike. */
export function setDisabled(b: VscodeButton, disabled: boolean): void {
  b.disabled = disabled;
  b.setAttribute('aria-disabled', String(disabled));
}

export interface Choice {
  readonly value: string;
  readonly label: string;
}

/**
 * A drop-down (combobox role, named `label` for assistive technology) that calls `onChange` with the
 * chosen value. The initial choice is marked on its option, so it holds before the element renders.
 */
export function select(
  label: string,
  choices: readonly Choice[],
  value: string,
  onChange: (value: string) => void,
): VscodeSingleSelect {
  const s = el(
    'vscode-single-select',
    {},
    ...choices.map((c) => {
      const option = el('vscode-option', { value: c.value }, c.label);
      if (c.value === value) option.setAttribute('selected', '');
      return option;
    }),
  );
  s.label = label;
  s.addEventListener('change', () => onChange(s.value));
  return s;
}

/** A search field (its inner input named `label`) that calls `onInput` with the text on every edit. */
export function searchField(
  label: string,
  placeholder: string,
  onInput: (text: string) => void,
): VscodeTextfield {
  const f = el('vscode-textfield', { type: 'search', placeholder });
  f.label = label;
  f.addEventListener('input', () => onInput(f.value));
  return f;
}
