// The pair table query the user last looked at, so j/k on a pair page walks that same list.
import type { PairQuery } from '../../../shared/pair-query'

let last: PairQuery = {}

export function rememberPairsQuery(query: PairQuery): void {
  last = query
}

export function lastPairsQuery(): PairQuery {
  return last
}
