/** How far a writer may run ahead of its sink. */
export const WRITE_BEHIND_BYTES = 64 * 1024 * 1024

/** Where positioned writes go: a file, a buffer. */
export interface PositionedSink {
  write(position: number, bytes: Uint8Array): Promise<void>
}

/**
 * Positioned writes a caller need not wait for: write() starts one and resolves while at most
 * WRITE_BEHIND_BYTES are still on their way, so the caller codes the next bytes meanwhile (and
 * leaves these unchanged). The first failed write rejects every later write() and flush().
 */
export class WriteBehind {
  private unwritten = 0
  private failure: unknown
  private readonly pending = new Set<Promise<void>>()

  constructor(private readonly sink: PositionedSink) {}

  async write(position: number, bytes: Uint8Array): Promise<void> {
    this.settled()
    const task: Promise<void> = this.sink.write(position, bytes).then(
      () => {
        this.unwritten -= bytes.length
        this.pending.delete(task)
      },
      (error: unknown) => {
        this.failure ??= error
        this.pending.delete(task)
      },
    )
    this.pending.add(task)
    this.unwritten += bytes.length
    while (this.unwritten > WRITE_BEHIND_BYTES && this.failure === undefined) await Promise.race(this.pending)
    this.settled()
  }

  /** Waits for every write; rejects with the first failure. */
  async flush(): Promise<void> {
    await Promise.all(this.pending)
    this.settled()
  }

  private settled(): void {
    if (this.failure !== undefined) throw this.failure
  }
}
