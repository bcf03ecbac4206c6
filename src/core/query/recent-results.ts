// The last few results of an expensive computation, by key: scrolling, paging and next/previous
// ask for the same query again and again. A failed computation is forgotten, so it can be retried.
export class RecentResults<T> {
  private readonly entries = new Map<string, Promise<T>>()

  constructor(private readonly capacity: number) {}

  get(key: string, compute: () => Promise<T>): Promise<T> {
    const cached = this.entries.get(key)
    if (cached !== undefined) {
      // Most recently used goes last; the first entry is the one to evict.
      this.entries.delete(key)
      this.entries.set(key, cached)
      return cached
    }
    const result = compute()
    this.entries.set(key, result)
    result.catch(() => {
      if (this.entries.get(key) === result) this.entries.delete(key)
    })
    while (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next().value
      if (oldest === undefined) break
      this.entries.delete(oldest)
    }
    return result
  }

  has(key: string): boolean {
    return this.entries.has(key)
  }
}
