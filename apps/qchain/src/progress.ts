/** Progress lines on stderr, at most one per `interval` ms, so stdout stays the command's output. */
export function progressLines(interval = 250): (line: string, force?: boolean) => void {
  let last = 0
  return (line, force = false) => {
    const now = Date.now()
    if (!force && now - last < interval) return
    last = now
    process.stderr.write(`${line}\n`)
  }
}
