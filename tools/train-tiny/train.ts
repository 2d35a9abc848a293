import { mkdir, readdir, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { loadSequences, loadTokenizer } from '@qchain/calibration'
import { createAdamState, DEFAULT_ADAMW } from './adamw.js'
import { ARCHITECTURES, modelConfig } from './architecture.js'
import { loadCheckpoint, restoreMoments } from './checkpoint.js'
import { readDocuments, TRAIN_DOCUMENTS } from './corpus-documents.js'
import { evaluateFolder } from './evaluate-folder.js'
import { modelCard } from './model-card.js'
import { writeModelFiles, writeTokenizerFiles } from './model-folder.js'
import { parseOptions, USAGE } from './options.js'
import { createTrainableModel, initialValues, readValues } from './parameters.js'
import { initTrainingBackend } from './training-backend.js'
import { tokenizeDocuments } from './training-batches.js'
import { trainingLoop } from './training-loop.js'
import { buildVocabulary } from './vocabulary.js'

/** Trains the tiny model and writes its folder (config, BF16 weights, tokenizer, MODEL.md). */
async function main(argv: string[]): Promise<void> {
  if (argv.includes('--help')) return console.log(USAGE)
  const options = parseOptions(argv)
  const log = (line: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${line}`)
  const backend = await initTrainingBackend()
  const architecture = ARCHITECTURES[options.architecture]
  const config = modelConfig(architecture)
  log(`backend ${backend}; ${options.architecture} architecture; ${JSON.stringify(options)}`)

  const documents = await readDocuments(TRAIN_DOCUMENTS)
  await writeTokenizerFiles(options.out, buildVocabulary(documents.flat(), config.vocabSize), architecture.maxPositions)
  const tokenizer = await loadTokenizer(options.out)
  const trainDocuments = tokenizeDocuments(documents, tokenizer)
  const heldOut = await loadSequences('default', { split: 'evaluation', samples: options.evalSamples, seqLen: options.seqLen, seed: 1, vocabSize: config.vocabSize, tokenizer })
  log(`tokenized ${trainDocuments.reduce((sum, d) => sum + d.tokens.length, 0).toLocaleString('en-US')} training tokens`)

  const checkpoint = options.resume ? await loadCheckpoint(options.checkpoint, config) : undefined
  if (checkpoint) log(`resuming at step ${checkpoint.step} from ${options.checkpoint}`)
  const trainable = createTrainableModel(config, checkpoint?.weights ?? initialValues(config, options.seed))
  const adam = createAdamState(trainable.variables)
  if (checkpoint) restoreMoments(adam, checkpoint)
  const parameters = [...trainable.variables.values()].reduce((sum, variable) => sum + variable.size, 0)
  log(`${parameters.toLocaleString('en-US')} parameters`)

  const result = await trainingLoop({
    trainable, adam, adamOptions: DEFAULT_ADAMW, documents: trainDocuments, heldOut, options,
    startStep: checkpoint?.step ?? 0, priorSeconds: checkpoint?.trainSeconds ?? 0, log,
  })
  await writeModelFiles(options.out, architecture, readValues(trainable.variables))
  const evaluation = await evaluateFolder(options.out, options.evalSamples, options.seqLen, 200)
  const command = `npx tsx tools/train-tiny/train.ts ${argv.filter((arg) => arg !== '--resume').join(' ')}`.trim()
  const card = modelCard({ architecture, parameters, options, adam: DEFAULT_ADAMW, command, trainSeconds: result.trainSeconds, finalTrainLoss: result.finalTrainLoss, evaluations: result.evaluations, evaluation, folderBytes: await folderBytes(options.out) })
  await writeFile(join(options.out, 'MODEL.md'), card)
  log(`held-out NLL ${evaluation.heldOutNll.toFixed(4)}, train NLL ${evaluation.trainNll.toFixed(4)} nats/token (uniform ${Math.log(config.vocabSize).toFixed(4)}); wrote ${options.out}`)
  log(`sample: ${evaluation.greedy}`)
}

/** Bytes of every file in the folder, MODEL.md estimated at 4 KB since it is written last. */
async function folderBytes(dir: string): Promise<number> {
  await mkdir(dir, { recursive: true })
  let total = 4096
  for (const name of await readdir(dir)) if (name !== 'MODEL.md') total += (await stat(join(dir, name))).size
  return total
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : String(error))
  process.exitCode = 1
})
