import type { Attachment } from 'svelte/attachments'

/**
 * Makes a whole table row open `target` on click, as a mouse convenience. Each row also holds a
 * real `<a>` (the keyboard and screen-reader path, and what deep links copy), so this is wired as
 * an attachment rather than an `onclick` that would pretend a `<tr>` is interactive.
 */
export function rowLink(target: string): Attachment<HTMLElement> {
  return (row) => {
    const onClick = (event: MouseEvent): void => {
      if (event.defaultPrevented || event.button !== 0) return
      if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return
      if (
        event.target instanceof Element &&
        event.target.closest('a, button, summary, input, select, label')
      ) {
        return
      }
      // Researchers select IDs and scores to copy them; a selection is not a navigation.
      if ((window.getSelection()?.toString() ?? '') !== '') return
      window.location.hash = target
    }
    row.addEventListener('click', onClick)
    row.classList.add('row-link')
    return () => {
      row.removeEventListener('click', onClick)
      row.classList.remove('row-link')
    }
  }
}
