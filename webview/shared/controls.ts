// VS Code-styled controls from @vscode-elements/elements (the maintained successor of Microsoft's
// deprecated webview-ui-toolkit): themed by VS Code's CSS variables, keyboard-accessible, role=button.
// Only the components used are imported, so each panel bundle stays small.
import '@vscode-elements/elements/dist/vscode-button/index.js';
import type { VscodeButton } from '@vscode-elements/elements/dist/vscode-button/vscode-button.js';
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
