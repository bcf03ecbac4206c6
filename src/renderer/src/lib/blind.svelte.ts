// Blind review: which side is newer is hidden, and the two responses are placed left or right at
// random per pair. The placement is derived from the pair and the run's workspace, so it stays
// the same every time the pair is opened (and differs between workspaces, so two annotators with
// their own workspaces do not share an order).

import { fnv1a, mix32 } from '../../../shared/hash'

const STORAGE_KEY = 'rubric-workbench.blind'

export class BlindMode {
  on = $state(readStored())

  toggle(): void {
    this.on = !this.on
    try {
      localStorage.setItem(STORAGE_KEY, this.on ? '1' : '0')
    } catch {
      // Storage can be unavailable (private mode, full disk): the toggle still works this session.
    }
  }
}

function readStored(): boolean {
  try {
    return localStorage.getItem(STORAGE_KEY) === '1'
  } catch {
    return false
  }
}

/** Whether the newer response goes on the left when the pair is shown blind. */
export function newerOnLeft(pairId: string, salt: string): boolean {
  return (mix32(fnv1a(`${salt}\n${pairId}`)) & 1) === 1
}
