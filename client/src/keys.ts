// Keyboard shortcuts of the consoles act only outside text fields (the key is then text) and never under a dialog.

/** Whether a key pressed here is typed text: an input, a text area, a select or an editable element has the focus. */
export const isTyping = (el: EventTarget | null): boolean =>
  el instanceof HTMLElement && (el.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName));
