// Batch layout for forward passes. Rows are padded on the left, so the last position holds every
// row's next-token logits; positions count only real tokens, so a padded row, or one continuing
// a reused key/value prefix, sees exactly what it would see alone in a full pass.

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
  /** [rows, pastLength + width]: the cached prefix is visible, padding is not. */
  attentionMask: BigInt64Array
  positionIds: BigInt64Array
}

export function paddedBatch(
  rows: readonly (readonly number[])[],
  pastLength: number,
  padId = 0
): PaddedBatch {
  const width = Math.max(1, ...rows.map((r) => r.length))
  const total = pastLength + width
  const inputIds = new BigInt64Array(rows.length * width).fill(BigInt(padId))
  const attentionMask = new BigInt64Array(rows.length * total)
  const positionIds = new BigInt64Array(rows.length * width).fill(BigInt(pastLength))
  rows.forEach((row, r) => {
    const pad = width - row.length
    attentionMask.fill(1n, r * total, r * total + pastLength)
    row.forEach((token, k) => {
      inputIds[r * width + pad + k] = BigInt(token)
      positionIds[r * width + pad + k] = BigInt(pastLength + k)
      attentionMask[r * total + pastLength + pad + k] = 1n
    })
  })
  return { width, inputIds, attentionMask, positionIds }
}
