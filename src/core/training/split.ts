// Train/validation split by prompt: every pair of a prompt falls on the same side, so a head
// never sees at validation a prompt it trained on (pairs of one prompt share most of their text).
// A prompt's side depends only on the seed and its id, not on which other prompts are present:
// heads trained on different pairs of one run (criterion verdicts, embeddings) with one seed hold
// out the same prompts, so they can be compared on the same held-out labels.
import { itemKey } from '../../shared/poisson-bootstrap'

/** Whether a prompt validates under this seed and share. */
export function heldOut(promptId: string, validShare: number, seed: number): boolean {
  // FNV-1a's high bits mix poorly for similar ids; a finaliser spreads them over [0, 1).
  let h = itemKey(`${seed}\u0000${promptId}`)
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b)
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35)
  h = (h ^ (h >>> 16)) >>> 0
  return h / 2 ** 32 < validShare
}

export function splitByPrompt<T extends { promptId: string }>(
  items: readonly T[],
  validShare: number,
  seed: number
): { train: T[]; valid: T[] } {
  const side = new Map<string, boolean>()
  const isValid = (p: string): boolean => {
    let v = side.get(p)
    if (v === undefined) side.set(p, (v = heldOut(p, validShare, seed)))
    return v
  }
  return {
    train: items.filter((i) => !isValid(i.promptId)),
    valid: items.filter((i) => isValid(i.promptId)),
  }
}
