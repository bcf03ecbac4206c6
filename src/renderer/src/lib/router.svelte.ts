import { parentOf, parseHash, type Route } from './route'

interface HistoryMark {
  /** Position of this entry among the entries this app has created in the tab's history. */
  workbenchIndex: number
}

function readIndex(state: unknown): number | null {
  if (typeof state !== 'object' || state === null) return null
  const value = (state as Partial<HistoryMark>).workbenchIndex
  return typeof value === 'number' ? value : null
}

/**
 * The current hash route. Navigation is plain `<a href="#/…">`, so deep links, reloads and the
 * browser's back/forward all go through `hashchange`; this class only mirrors the hash.
 */
export class Router {
  route: Route = $state.raw(parseHash(window.location.hash))
  // Each history entry is stamped with its position so Esc can tell whether going back would
  // stay inside the app (or leave it, after a deep link).
  #index = 0

  /** Start following the hash; returns the function that stops it. */
  start(): () => void {
    this.#index = this.#stamp(0)
    const onHashChange = (): void => {
      this.#index = this.#stamp(this.#index + 1)
      this.route = parseHash(window.location.hash)
    }
    window.addEventListener('hashchange', onHashChange)
    return () => window.removeEventListener('hashchange', onHashChange)
  }

  /** A back/forward move finds its stamp; a new entry gets `next`. */
  #stamp(next: number): number {
    const known = readIndex(history.state)
    if (known !== null) return known
    const mark: HistoryMark = { workbenchIndex: next }
    history.replaceState({ ...(history.state as object | null), ...mark }, '')
    return next
  }

  navigate(target: string): void {
    window.location.hash = target
  }

  /** Back to the list the user came from, or to the detail page's natural parent after a deep link. */
  back(): boolean {
    const parent = parentOf(this.route)
    if (parent === null) return false
    if (this.#index > 0) history.back()
    else this.navigate(parent)
    return true
  }
}
