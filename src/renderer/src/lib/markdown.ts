// Markdown for untrusted text (prompts, model answers). Two layers:
//  1. marked renders raw HTML in the source as escaped text: an auditor must see exactly what the
//     model wrote (`<script>`, `<br>`…), not have it interpreted.
//  2. DOMPurify sanitizes the result anyway, so a marked bug or a future extension (KaTeX,
//     highlighting) cannot open a hole. Its own instance keeps these hooks away from any other user.
import DOMPurify from 'dompurify'
import { Marked } from 'marked'

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => ESCAPES[ch] ?? ch)
}

const marked = new Marked({
  gfm: true,
  async: false,
  renderer: {
    html: ({ text }) => escapeHtml(text),
  },
})

const SAFE_LINK = /^https?:\/\//i

let purifier: ReturnType<typeof DOMPurify> | undefined

// Created on first use: DOMPurify needs the window, and importing this module should not.
function getPurifier(): ReturnType<typeof DOMPurify> {
  if (purifier !== undefined) return purifier
  const instance = DOMPurify(window)
  instance.addHook('afterSanitizeAttributes', (node) => {
    if (node.nodeName !== 'A') return
    const target = node.getAttribute('href')
    if (target !== null && SAFE_LINK.test(target.trim())) {
      // Outside links leave the app (Electron's window-open handler sends them to the browser).
      node.setAttribute('target', '_blank')
      node.setAttribute('rel', 'noopener noreferrer')
    } else {
      // Relative, `#`, `mailto:`, `data:`… links in model output have no meaning in the workbench.
      node.removeAttribute('href')
      node.removeAttribute('target')
    }
  })
  purifier = instance
  return instance
}

const PURIFY_CONFIG = {
  USE_PROFILES: { html: true },
  FORBID_TAGS: ['style', 'form', 'input', 'button', 'textarea', 'select', 'iframe', 'object', 'embed'],
  // `style` could position content over the app's own controls. (KaTeX output needs it: revisit then.)
  FORBID_ATTR: ['style'],
  ALLOW_DATA_ATTR: false,
}

/** Markdown → sanitized HTML, the only HTML the renderer ever inserts. */
export function renderMarkdown(text: string): string {
  const html = marked.parse(text, { async: false })
  return getPurifier().sanitize(html, PURIFY_CONFIG)
}
