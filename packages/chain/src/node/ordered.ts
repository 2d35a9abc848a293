/**
 * Results of concurrent work handed on in submission order, with at most `limit` waiting: work
 * runs in any order across workers, while the caller's writes keep a fixed order.
 */
export class OrderedQueue<T> {
  private readonly queue: { result: Promise<T>; commit: (value: T) => Promise<void> | void; cost: number }[] = []
  private queued = 0

  constructor(private readonly limit: number) {}

  /**
   * Queues a started piece of work; waits while the queued costs exceed `limit`. A cost of 0
   * suits work that holds no memory of its own: another part of a matrix already queued, a
   * tensor already stored once.
   */
  async push(result: Promise<T>, commit: (value: T) => Promise<void> | void, cost = 1): Promise<void> {
    // A failure surfaces when its turn comes; until then it must not count as unhandled.
    result.catch(() => {})
    this.queue.push({ result, commit, cost })
    this.queued += cost
    while (this.queued > this.limit) await this.next()
  }

  /** Commits everything still queued. */
  async drain(): Promise<void> {
    while (this.queue.length > 0) await this.next()
  }

  private async next(): Promise<void> {
    const head = this.queue.shift() as { result: Promise<T>; commit: (value: T) => Promise<void> | void; cost: number }
    this.queued -= head.cost
    await head.commit(await head.result)
  }
}
