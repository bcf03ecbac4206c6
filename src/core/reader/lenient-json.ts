// JSON as Python writes it: strict JSON plus the bare tokens NaN, Infinity and -Infinity.
import type { ScannedValue } from './row-scanner'

const NON_FINITE = /"(?:[^"\\]|\\.)*"|-?Infinity|NaN/g
// Decoded form of the marker; the replacement below writes it as a JSON escape.
const SENTINEL = '\u0000rw-nonfinite:'
const SENTINEL_JSON = '\\u0000rw-nonfinite:'

/** Parse JSON text, accepting Python's non-finite number tokens. Throws SyntaxError otherwise. */
export function parseLenientJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown
  } catch (error) {
    if (!/NaN|Infinity/.test(text)) throw error
  }
  // Quote the bare tokens (strings are matched first and left alone), then turn them back.
  const quoted = text.replace(NON_FINITE, (m) => (m.startsWith('"') ? m : `"${SENTINEL_JSON}${m}"`))
  return JSON.parse(quoted, (_key, value: unknown) => {
    if (typeof value === 'string' && value.startsWith(SENTINEL)) return Number(value.slice(SENTINEL.length))
    return value
  }) as unknown
}

/** Decode one value found by the row scanner. Throws SyntaxError for malformed contents. */
export function decodeValue(line: Buffer, value: ScannedValue): unknown {
  const text = line.toString('utf8', value.start, value.end)
  switch (value.kind) {
    case 'string':
      return JSON.parse(text) as string
    case 'number':
      return Number(text)
    case 'literal':
      return text === 'true' ? true : text === 'false' ? false : null
    default:
      return parseLenientJson(text)
  }
}
