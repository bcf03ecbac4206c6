// Ids must name one record each: a second row claiming a taken id is that row's error (the
// first one keeps it), so deep links and labels never land on the wrong record.
import { RowError } from './row'

export class IdRegistry {
  private readonly taken = new Map<string, number>()

  constructor(private readonly what: string) {}

  claim(id: string, line: number): void {
    const first = this.taken.get(id)
    if (first !== undefined)
      throw new RowError(`duplicate ${this.what} id ${JSON.stringify(id)} (first used on line ${first})`)
    this.taken.set(id, line)
  }
}
