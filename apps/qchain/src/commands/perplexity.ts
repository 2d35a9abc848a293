import { parseArgs } from 'node:util'
import { disposeModel, perplexity, readModelConfig, resolveModel } from '@qchain/model'
import { loadAnyModel } from '../load-any-model.js'
import { sequencesFor } from '../calibration-source.js'
import { choiceFlag, numberFlag, requiredFlag } from '../flags.js'
import type { CommandIO } from '../io.js'

export const HELP = `qchain perplexity --model <dir|hub-id> [--tokens <file>|default] [--json]

Mean next-token NLL (nats/token) and perplexity of a 16-bit, GPTQ or LLM.int8 model folder.

  --tokens <file>|default   .json token ids (its "evaluation" field when present), text or .jsonl;
                            default: held-out built-in English text
  --samples N --seq-len T --seed S   defaults 16, 512, 1 (a token file's sequences are used as stored, cut to T)
  --format gptq|gptq_v2     override a GPTQ checkpoint's zero-point format`

export async function run(args: string[], { print }: CommandIO): Promise<void> {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      model: { type: 'string' },
      tokens: { type: 'string', default: 'default' },
      samples: { type: 'string' },
      'seq-len': { type: 'string' },
      seed: { type: 'string' },
      format: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  })
  const { path } = await resolveModel(requiredFlag(values.model, 'model'))
  const config = await readModelConfig(path)
  const sequences = await sequencesFor(path, config.vocabSize, {
    source: values.tokens,
    split: 'evaluation',
    samples: numberFlag(values.samples, 'samples', 16, { min: 1 }),
    seqLen: numberFlag(values['seq-len'], 'seq-len', 512, { min: 2 }),
    seed: numberFlag(values.seed, 'seed', 1),
  })
  const format = values.format === undefined ? undefined : choiceFlag(values.format, 'format', ['gptq', 'gptq_v2'] as const, 'gptq')
  const { model, kind } = await loadAnyModel(path, format)
  try {
    const result = perplexity(model, sequences)
    const summary = { model: path, kind, sequences: sequences.length, tokens: result.predictions, meanNll: result.meanNll, perplexity: result.perplexity }
    print(values.json ? JSON.stringify(summary, null, 2) : `${kind} model: mean NLL ${result.meanNll.toFixed(5)} nats/token, perplexity ${result.perplexity.toFixed(4)} over ${result.predictions} predictions`)
  } finally {
    disposeModel(model)
  }
}
