// Markdown for untrusted text (prompts, model answers). Two layers:
//  1. marked renders raw HTML in the source as escaped text: an auditor must see exactly what the
//     model wrote (`<script>`, `<br>`…), not have it interpreted. Math goes through KaTeX with
//     `trust: false` (no \href, \url, \htmlStyle, \includegraphics…) and code through highlight.js,
//     both of which escape what they are given.
//  2. DOMPurify sanitizes the result anyway, so a marked, KaTeX or highlight.js bug cannot open a
//     hole. Its own instance keeps these hooks away from any other user.
// The styles both need are imported by Markdown.svelte, so this module also loads in plain Node.
import DOMPurify from 'dompurify'
import type { UponSanitizeAttributeHookEvent } from 'dompurify'
import hljs from 'highlight.js/lib/core'
import bash from 'highlight.js/lib/languages/bash'
import c from 'highlight.js/lib/languages/c'
import cpp from 'highlight.js/lib/languages/cpp'
import diff from 'highlight.js/lib/languages/diff'
import go from 'highlight.js/lib/languages/go'
import java from 'highlight.js/lib/languages/java'
import javascript from 'highlight.js/lib/languages/javascript'
import json from 'highlight.js/lib/languages/json'
import latex from 'highlight.js/lib/languages/latex'
import markdown from 'highlight.js/lib/languages/markdown'
import python from 'highlight.js/lib/languages/python'
import rust from 'highlight.js/lib/languages/rust'
import shell from 'highlight.js/lib/languages/shell'
import sql from 'highlight.js/lib/languages/sql'
import typescript from 'highlight.js/lib/languages/typescript'
import xml from 'highlight.js/lib/languages/xml'
import yaml from 'highlight.js/lib/languages/yaml'
import { Marked } from 'marked'
import { markedHighlight } from 'marked-highlight'
import markedKatex from 'marked-katex-extension'

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

// The core build plus the languages model answers mostly use, not the full build's ~190.
// Each definition also registers its aliases (py, js, ts, sh, c++, html…).
const LANGUAGES = {
  bash,
  c,
  cpp,
  diff,
  go,
  java,
  javascript,
  json,
  latex,
  markdown,
  python,
  rust,
  shell,
  sql,
  typescript,
  xml,
  yaml,
}
for (const [name, language] of Object.entries(LANGUAGES)) hljs.registerLanguage(name, language)

/** A theme variable, so KaTeX's error marking follows light and dark (see katexStyle). */
const KATEX_ERROR_COLOR = 'var(--bad-fg)'

const marked = new Marked(
  markedHighlight({
    langPrefix: 'hljs language-',
    highlight(code, lang) {
      // Unknown or absent language: returned unchanged, marked-highlight escapes it.
      if (lang === '' || hljs.getLanguage(lang) === undefined) return code
      return hljs.highlight(code, { language: lang, ignoreIllegals: true }).value
    },
  }),
  markedKatex({
    throwOnError: false,
    // MathML output would need DOMPurify's MathML profile as well, and switches between the HTML,
    // SVG and MathML namespaces are where sanitizer bypasses keep being found. HTML looks the same.
    output: 'html',
    trust: false,
    strict: 'ignore',
    errorColor: KATEX_ERROR_COLOR,
    // \rule{500em}{500em} and the like would cover the page.
    maxSize: 20,
  }),
  {
    gfm: true,
    async: false,
    renderer: {
      html: ({ text }) => escapeHtml(text),
    },
  }
)

const SAFE_LINK = /^https?:\/\//i

// Every property KaTeX's HTML output sets inline, each with the only values it writes: lengths,
// and a few keywords. Colours are left out on purpose (\color{white}, \phantom and \colorbox
// could hide text from the auditor), except KaTeX's own error marking.
const LENGTH = '-?(?:\\d+(?:\\.\\d+)?|\\.\\d+)(?:em|ex|px)?'
const LENGTHS = `${LENGTH}(?: ${LENGTH}){0,3}`
const KATEX_STYLE: Record<string, RegExp> = Object.fromEntries(
  Object.entries({
    height: LENGTH,
    width: LENGTH,
    'min-width': LENGTH,
    top: LENGTH,
    bottom: LENGTH,
    left: LENGTH,
    'vertical-align': LENGTH,
    margin: LENGTHS,
    'margin-left': LENGTH,
    'margin-right': LENGTH,
    'margin-top': LENGTH,
    'padding-left': LENGTH,
    'border-width': LENGTH,
    'border-top-width': LENGTH,
    'border-bottom-width': LENGTH,
    'border-right-width': LENGTH,
    'border-style': 'solid|dashed',
    'border-right-style': 'solid|dashed',
    'text-shadow': LENGTHS,
    position: 'relative',
  }).map(([property, value]) => [property, new RegExp(`^(?:${value})$`)])
)

/**
 * The declarations of a KaTeX `style` attribute that are safe to keep, or '' for none. Anything
 * outside the list above (`position: fixed`, `url(…)`, `expression(…)`, escapes, comments) is
 * dropped.
 */
export function katexStyle(style: string): string {
  const kept: string[] = []
  for (const declaration of style.split(';')) {
    const colon = declaration.indexOf(':')
    if (colon < 0) continue
    const property = declaration.slice(0, colon).trim().toLowerCase()
    const value = declaration.slice(colon + 1).trim()
    const allowed = Object.hasOwn(KATEX_STYLE, property) && KATEX_STYLE[property]?.test(value) === true
    if (allowed || (property === 'color' && value === KATEX_ERROR_COLOR)) kept.push(`${property}:${value}`)
  }
  return kept.join(';')
}

let purifier: ReturnType<typeof DOMPurify> | undefined

// Created on first use: DOMPurify needs the window, and importing this module should not.
function getPurifier(): ReturnType<typeof DOMPurify> {
  if (purifier !== undefined) return purifier
  const instance = DOMPurify(window)
  instance.addHook('uponSanitizeAttribute', (node: Element, event: UponSanitizeAttributeHookEvent) => {
    if (event.attrName !== 'style') return
    // `style` could position content over the app's own controls. KaTeX, though, lays formulas
    // out with inline sizes and offsets that no stylesheet can supply: inside its output, those
    // declarations (and only those) are kept.
    const kept = node.closest('.katex, .katex-error') === null ? '' : katexStyle(event.attrValue)
    if (kept === '') event.keepAttr = false
    else event.attrValue = kept
  })
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
  // SVG for KaTeX's stretchy arrows, radicals and \cancel strokes.
  USE_PROFILES: { html: true, svg: true },
  FORBID_TAGS: ['style', 'form', 'input', 'button', 'textarea', 'select', 'iframe', 'object', 'embed'],
  // `style` is allowed by the profile and vetted, declaration by declaration, by the hook above.
  ALLOW_DATA_ATTR: false,
}

/** Markdown → HTML, before sanitizing. Exported for tests; insert only `renderMarkdown`'s. */
export function markdownToHtml(text: string): string {
  try {
    return marked.parse(text, { async: false })
  } catch {
    // KaTeX rethrows anything but its own parse errors; the text is still worth showing.
    return `<pre>${escapeHtml(text)}</pre>`
  }
}

/** Markdown → sanitized HTML, the only HTML the renderer ever inserts. */
export function renderMarkdown(text: string): string {
  return getPurifier().sanitize(markdownToHtml(text), PURIFY_CONFIG)
}
