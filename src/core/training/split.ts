// Train/validation split by prompt: every pair of a prompt falls on the same side, so a head
// never sees at validation a prompt it trained on (pairs of one prompt share most of their text).
import { itemKey } from '../../shared/poisson-bootstrap'

export function splitByPrompt<T extends { promptId: string }>(
  items: readonly T[],
  validShare: number,
  seed: number
): { train: T[]; valid: T[] } {
  const prompts = [...new Set(items.map((i) => i.promptId))]
  // A seeded order of the prompts: the first share of them validate.
  const order = prompts
    .map((p) => ({ p, k: itemKey(`${seed}\u0000${p}`) }))
    .sort((a, b) => a.k - b.k || (a.p < b.p ? -1 : 1))
  const valid = new Set(order.slice(0, Math.round(prompts.length * validShare)).map((o) => o.p))
  return {
    train: items.filter((i) => !valid.has(i.promptId)),
    valid: items.filter((i) => valid.has(i.promptId)),
  }
}
