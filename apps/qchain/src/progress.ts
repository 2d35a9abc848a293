import cliProgress from 'cli-progress'

/** Progress of long work: one bar per stage on a terminal, plain throttled lines otherwise; always on stderr. */
export interface Progress {
  update(stage: string, done: number, total: number, detail?: string): void
  stop(): void
}

export function createProgress(interactive = Boolean(process.stderr.isTTY)): Progress {
  return interactive ? barProgress() : lineProgress()
}

function barProgress(): Progress {
  const bars = new cliProgress.MultiBar(
    { stream: process.stderr, format: '{stage} [{bar}] {value}/{total} {detail}', clearOnComplete: false, hideCursor: true, etaBuffer: 20 },
    cliProgress.Presets.shades_classic,
  )
  const byStage = new Map<string, cliProgress.SingleBar>()
  return {
    update(stage, done, total, detail = '') {
      let bar = byStage.get(stage)
      if (!bar) {
        bar = bars.create(total, 0, { stage: stage.padEnd(10), detail })
        byStage.set(stage, bar)
      }
      bar.setTotal(total)
      bar.update(done, { stage: stage.padEnd(10), detail })
    },
    stop: () => bars.stop(),
  }
}

/** At most one line per stage every `interval` ms, plus the last one of each stage. */
function lineProgress(interval = 1000): Progress {
  const last = new Map<string, number>()
  return {
    update(stage, done, total, detail = '') {
      const now = Date.now()
      if (done < total && now - (last.get(stage) ?? 0) < interval) return
      last.set(stage, now)
      process.stderr.write(`${stage}: ${done}/${total}${detail ? ` ${detail}` : ''}\n`)
    },
    stop: () => undefined,
  }
}
