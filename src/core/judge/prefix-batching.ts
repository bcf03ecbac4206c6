// Batch layout for forward passes. Rows are padded on the left, so the last position holds every
// row's next-token logits. A row may continue a cached prefix; the prefixes of one batch are
// left-padded to a common width too. The attention mask hides every padded position and position
// ids count only real tokens, so each row sees exactly what it would see alone in a full pass.

/** Tokens every sequence starts with, leaving each at least one token of its own to feed. */
export function longestCommonPrefix(sequences: readonly (readonly number[])[]): number {
  const first = sequences[0]
  if (first === undefined) return 0
  let limit = Math.min(...sequences.map((s) => s.length)) - 1
  for (const s of sequences) {
    let i = 0
    while (i < limit && s[i] === first[i]) i++
    limit = i
  }
  return Math.max(0, limit)
}

export interface PaddedBatch {
  width: number
  inputIds: BigInt64Array
  /** [rows, pastWidth + width]: real cached and new tokens are 1, padding 0. */
  attentionMask: BigInt64Array
  positionIds: BigInt64Array
}

/**
 * `pastLengths[r]` real cached tokens sit right-aligned in a cache `pastWidth` wide (a single
 * shared prefix: every length equals the width).
 */
export function paddedBatch(
  rows: readonly (readonly number[])[],
  pastLengths: readonly number[],
  pastWidth: number,
  padId = 0
): PaddedBatch {
  const width = Math.max(1, ...rows.map((r) => r.length))
  const total = pastWidth + width
  const inputIds = new BigInt64Array(rows.length * width).fill(BigInt(padId))
  const attentionMask = new BigInt64Array(rows.length * total)
  const positionIds = new BigInt64Array(rows.length * width)
  rows.forEach((row, r) => {
    const past = pastLengths[r] ?? 0
    const pad = width - row.length
    attentionMask.fill(1n, r * total + pastWidth - past, r * total + pastWidth)
    positionIds.fill(BigInt(past), r * width, r * width + pad)
    row.forEach((token, k) => {
      inputIds[r * width + pad + k] = BigInt(token)
      positionIds[r * width + pad + k] = BigInt(past + k)
      attentionMask[r * total + pastWidth + pad + k] = 1n
    })
  })
  return { width, inputIds, attentionMask, positionIds }
}

/** Indices of `items` in chunks of `size`, longest first (less padding per pass). */
export function lengthSortedChunks<T>(items: readonly T[], length: (item: T) => number, size: number): T[][] {
  const sorted = [...items].sort((a, b) => length(b) - length(a))
  const chunks: T[][] = []
  for (let i = 0; i < sorted.length; i += size) chunks.push(sorted.slice(i, i + size))
  return chunks
}
