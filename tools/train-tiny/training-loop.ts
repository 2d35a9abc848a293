import { perplexity, seededRandom, type TokenBatch } from '@qchain/model'
import type { AdamState, AdamWOptions } from './adamw.js'
import { saveCheckpoint } from './checkpoint.js'
import type { TrainOptions } from './options.js'
import type { TrainableModel } from './parameters.js'
import { learningRate, type LearningRateSchedule } from './schedule.js'
import { sampleBatch, type TokenizedDocument } from './training-batches.js'
import { trainStep } from './train-step.js'

export interface LoopInput {
  trainable: TrainableModel
  adam: AdamState
  adamOptions: AdamWOptions
  documents: readonly TokenizedDocument[]
  heldOut: TokenBatch
  options: TrainOptions
  startStep: number
  /** Training seconds already spent before a resume. */
  priorSeconds: number
  log: (line: string) => void
}

export interface LoopResult {
  /** Mean batch loss of the last tenth of the steps (at least one). */
  finalTrainLoss: number
  trainSeconds: number
  /** Held-out NLL at each evaluation, in float32. */
  evaluations: { step: number; nll: number }[]
}

/** Steps are seeded by (seed, step), so a resumed run draws the batches an unbroken one would. */
export function batchRandom(seed: number, step: number): () => number {
  return seededRandom((Math.imul(seed + 1, 0x9e3779b1) ^ Math.imul(step + 1, 0x85ebca6b)) >>> 0)
}

/** Trains from startStep to options.steps, logging, evaluating and checkpointing as it goes. */
export async function trainingLoop(input: LoopInput): Promise<LoopResult> {
  const { trainable, adam, adamOptions, documents, heldOut, options, startStep, priorSeconds, log } = input
  const schedule: LearningRateSchedule = { peak: options.peakLr, warmup: options.warmup, floor: options.peakLr / 10, total: options.steps }
  const started = performance.now()
  const seconds = () => priorSeconds + (performance.now() - started) / 1000
  const tail = Math.max(1, Math.ceil(options.steps / 10))
  const recent: number[] = []
  const evaluations: { step: number; nll: number }[] = []
  let windowStart = performance.now()
  for (let step = startStep; step < options.steps; step++) {
    const rate = learningRate(schedule, step)
    const batch = sampleBatch(documents, options.batch, options.seqLen, batchRandom(options.seed, step))
    const { loss, gradientNorm } = trainStep(trainable, adam, batch, rate, adamOptions)
    if (!Number.isFinite(loss)) throw new Error(`the loss diverged at step ${step + 1} (${loss})`)
    recent.push(loss)
    if (recent.length > tail) recent.shift()
    const done = step + 1
    const perStep = (performance.now() - windowStart) / 1000
    windowStart = performance.now()
    log(`step ${done}/${options.steps} loss ${loss.toFixed(4)} lr ${rate.toExponential(2)} |g| ${gradientNorm.toFixed(3)} ${perStep.toFixed(2)} s/step ${(seconds() / 60).toFixed(1)} min`)
    if (done % options.evalEvery === 0 || done === options.steps) {
      const { meanNll } = perplexity(trainable.model, heldOut, { batchSize: 4 })
      evaluations.push({ step: done, nll: meanNll })
      log(`eval step ${done} held-out NLL ${meanNll.toFixed(4)} nats/token`)
    }
    if (done % options.checkpointEvery === 0 || done === options.steps) {
      await saveCheckpoint(options.checkpoint, trainable.variables, adam, done, seconds())
      log(`checkpoint step ${done} -> ${options.checkpoint}`)
    }
  }
  const finalTrainLoss = recent.length ? recent.reduce((a, b) => a + b, 0) / recent.length : Number.NaN
  return { finalTrainLoss, trainSeconds: seconds(), evaluations }
}
