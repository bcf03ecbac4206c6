// FNV-1a over UTF-16 code units: a small, well-spread 32-bit hash for short strings (ids, hash
// tables, stable shuffles). Not for anything an adversary could exploit.
export function fnv1a(text: string): number {
  let hash = 0x811c9dc5
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i)
    hash = Math.imul(hash, 0x01000193)
  }
  return hash >>> 0
}

/**
 * MurmurHash3's finalizer: every output bit depends on every input bit. FNV-1a alone spreads the
 * last characters poorly (ids that differ only at the end share their top bits), so a hash used
 * for a coin flip goes through this first.
 */
export function mix32(hash: number): number {
  let h = hash >>> 0
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  h ^= h >>> 16
  return h >>> 0
}
