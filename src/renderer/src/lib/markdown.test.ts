// The parts of the markdown pipeline that run without a DOM; the sanitized result in a real
// page is checked by test/e2e/xss.e2e.test.ts.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { katexStyle, markdownToHtml } from './markdown'

test('inline and display math render with KaTeX; dollar amounts stay text', () => {
  const inline = markdownToHtml('Area is $\\pi r^2$ here.')
  assert.match(inline, /<span class="katex">/)
  assert.doesNotMatch(inline, /\$/)
  assert.match(markdownToHtml('$$\n\\frac{a}{b}\n$$'), /class="katex-display"/)
  assert.match(markdownToHtml('$$\\sum_i x_i$$'), /class="katex-display"/)
  assert.doesNotMatch(markdownToHtml('It costs $5 and $10.'), /katex/)
  // A parse error shows the source in the error colour, never an exception.
  assert.match(markdownToHtml('$\\frac{$ ok'), /katex-error|\\frac/)
})

test('math cannot carry links, styles, classes or images (trust stays off)', () => {
  for (const tex of [
    '$\\href{javascript:alert(1)}{x}$',
    '$\\url{javascript:alert(1)}$',
    '$\\htmlStyle{position:fixed;top:0}{x}$',
    '$\\htmlClass{page}{x}$',
    '$\\htmlData{x=1}{y}$',
    '$\\includegraphics{https://example.com/a.png}$',
  ]) {
    const html = markdownToHtml(tex)
    assert.doesNotMatch(html, /<a |<img |javascript:|position:fixed|class="page"|data-x/, tex)
    assert.match(html, /color:var\(--bad-fg\)/, tex)
  }
})

test('fenced code is highlighted for known languages and only escaped otherwise', () => {
  const python = markdownToHtml('```python\ndef f(x):\n    return "<b>"\n```')
  assert.match(python, /<code class="hljs language-python">/)
  assert.match(python, /<span class="hljs-keyword">def<\/span>/)
  assert.match(python, /&lt;b&gt;/)
  assert.match(markdownToHtml('```py\nimport os\n```'), /hljs-keyword/)

  const unknown = markdownToHtml('```klingon\n<script>alert(1)</script>\n```')
  assert.match(unknown, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/)
  assert.doesNotMatch(unknown, /<script>|hljs-/)
  assert.match(markdownToHtml('```\n<b>x</b>\n```'), /<pre><code>&lt;b&gt;x&lt;\/b&gt;/)
})

test('raw HTML in the source is shown escaped', () => {
  const html = markdownToHtml('<img src=x onerror=alert(1)> and $x$')
  assert.match(html, /&lt;img src=x onerror=alert\(1\)&gt;/)
  assert.match(html, /class="katex"/)
})

test('only the layout declarations KaTeX writes survive in a style attribute', () => {
  assert.equal(katexStyle('height:1em;vertical-align:-0.25em;'), 'height:1em;vertical-align:-0.25em')
  assert.equal(
    katexStyle('margin:0 -0.02em;position:relative;top:-3.063em'),
    'margin:0 -0.02em;position:relative;top:-3.063em'
  )
  assert.equal(
    katexStyle('border-right-style:dashed;border-right-width:0.04em'),
    'border-right-style:dashed;border-right-width:0.04em'
  )
  assert.equal(katexStyle('color:var(--bad-fg)'), 'color:var(--bad-fg)')
  for (const style of [
    'position:fixed',
    'position:absolute',
    'position: relative; z-index: 9',
    'background:url(javascript:alert(1))',
    'width:expression(alert(1))',
    'height:1em /* x */',
    'height:\\31 em',
    'color:red',
    'color:transparent',
    'background-color:#fff',
    'border-color:white',
    'top:calc(100% - 1em)',
    'height:var(--x)',
    'width:100vw',
    'display:none',
    'opacity:0',
    'font-size:100em',
  ]) {
    assert.doesNotMatch(
      katexStyle(style),
      /fixed|absolute|url|expression|calc|var|vw|display|opacity|font|z-index|color|\\|\//,
      style
    )
  }
  assert.equal(katexStyle('height:1em;position:fixed;width:2em'), 'height:1em;width:2em')
})
