// Keyboard shortcuts are single letters, so they must not fire while the user types.

/** Whether a key event's target is a text field (or editable), which owns its keys. */
export function isTypingTarget(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false
  if (target.isContentEditable) return true
  const field = target.closest('input, textarea, select')
  if (field === null) return false
  // Checkboxes and buttons do not take text.
  return !(field instanceof HTMLInputElement && ['checkbox', 'radio', 'button', 'range'].includes(field.type))
}

/** Set by `/` pressed outside the pair table: the table's search box takes focus when it mounts. */
export const pendingFocus = { search: false }
