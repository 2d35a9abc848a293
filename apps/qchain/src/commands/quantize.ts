import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { readModelConfig, resolveModel } from '@qchain/model'
import { DEFAULT_MAX_SHARD_BYTES, levelName, quantizeModel, type LevelOutput, type LevelRequest } from '@qchain/quantize'
import { sequencesFor } from '../calibration-source.js'
import { choiceFlag, numberFlag, requiredFlag } from '../flags.js'
import { UsageError } from '../usage-error.js'
import type { CommandIO } from '../io.js'

export const HELP = `qchain quantize --model <dir|hub-id> --bits <2|3|4|8> [--bits ...] --out <dir> [options]

Quantizes a 16-bit model and writes checkpoint folders that transformers and vLLM load.
Several --bits values are produced in one pass over the model; with one level --out is
the checkpoint folder, with several each goes to <out>/<method>-<bits>bit.

  --method gptq|rtn|int8-rowwise  default gptq (int8-rowwise ignores --bits: LLM.int8 folder)
  --group-size N                  default 128; -1 for one group per row
  --sym | --asym                  default --sym
  --act-order                     quantize columns by descending Hessian diagonal
  --static-groups                 fit group grids up front
  --damp F                        dampening, fraction of mean diag(H); default 0.01
  --block-size N                  lazy GPTQ block width; default 128
  --calibration <file>|default    text, .jsonl ("text"), or .json token ids; default: built-in English text
  --samples N --seq-len T --seed S  calibration windows; defaults 128, 512, 0
  --format gptq|gptq_v2           zero points stored minus one (v1, default) or as is
  --max-shard-size BYTES          split the weights into shards with an index past this size; default 4 GiB
  --json                          print a JSON summary on stdout`

export async function run(args: string[], { print, progress }: CommandIO): Promise<void> {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      model: { type: 'string' },
      bits: { type: 'string', multiple: true },
      method: { type: 'string' },
      'group-size': { type: 'string' },
      sym: { type: 'boolean' },
      asym: { type: 'boolean' },
      'act-order': { type: 'boolean', default: false },
      'static-groups': { type: 'boolean', default: false },
      damp: { type: 'string' },
      'block-size': { type: 'string' },
      calibration: { type: 'string', default: 'default' },
      samples: { type: 'string' },
      'seq-len': { type: 'string' },
      seed: { type: 'string' },
      format: { type: 'string' },
      'max-shard-size': { type: 'string' },
      out: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  })
  if (values.sym && values.asym) throw new UsageError('--sym and --asym exclude each other', 'sym')
  const method = choiceFlag(values.method, 'method', ['gptq', 'rtn', 'int8-rowwise'] as const, 'gptq')
  const format = choiceFlag(values.format, 'format', ['gptq', 'gptq_v2'] as const, 'gptq')
  const options = {
    groupSize: numberFlag(values['group-size'], 'group-size', 128, { min: -1 }),
    sym: !values.asym,
    actOrder: values['act-order'],
    staticGroups: values['static-groups'],
    dampPercent: numberFlag(values.damp, 'damp', 0.01, { integer: false, min: 0 }),
    blockSize: numberFlag(values['block-size'], 'block-size', 128, { min: 1 }),
  }
  const bitList = method === 'int8-rowwise' ? ['8'] : (values.bits ?? [])
  if (bitList.length === 0) throw new UsageError('give at least one --bits value (2, 3, 4 or 8)', 'bits')
  const requests: LevelRequest[] = bitList.map((bits) =>
    method === 'int8-rowwise' ? { method } : { method, options: { ...options, bits: Number(choiceFlag(bits, 'bits', ['2', '3', '4', '8'] as const, '4')) }, format },
  )
  const out = requiredFlag(values.out, 'out')
  const outputs: LevelOutput[] = requests.map((request) => ({
    request,
    target: requests.length === 1 ? out : join(out, request.method === 'int8-rowwise' ? 'int8' : `${request.method}-${levelName(request)}bit`),
  }))

  const { path: modelDir } = await resolveModel(requiredFlag(values.model, 'model'))
  // Without a supported config there is no forward pass: quantizeModel says GPTQ cannot run.
  const config = method === 'gptq' ? await readModelConfig(modelDir).catch(() => undefined) : undefined
  const calibration = config
    ? await sequencesFor(modelDir, config.vocabSize, {
        source: values.calibration,
        split: 'calibration',
        samples: numberFlag(values.samples, 'samples', 128, { min: 1 }),
        seqLen: numberFlag(values['seq-len'], 'seq-len', 512, { min: 2 }),
        seed: numberFlag(values.seed, 'seed', 0),
      })
    : undefined
  const started = performance.now()
  await quantizeModel(modelDir, outputs, {
    ...(calibration && { calibration }),
    maxShardBytes: numberFlag(values['max-shard-size'], 'max-shard-size', DEFAULT_MAX_SHARD_BYTES, { min: 1 }),
    onProgress: (event) =>
      event.stage === 'gptq' ? progress.update('quantize', event.layer, event.layers, `block ${event.layer + 1}, level ${event.level}, ${event.group}`) : progress.update('quantize', event.done, event.total),
  })
  progress.stop()
  const seconds = (performance.now() - started) / 1000
  const summary = { model: modelDir, seconds, calibrationSequences: calibration?.length ?? 0, outputs: outputs.map(({ request, target }) => ({ level: levelName(request), method: request.method, folder: target })) }
  print(values.json ? JSON.stringify(summary, null, 2) : summary.outputs.map((output) => `${output.method} ${output.level}: ${output.folder}`).concat(`done in ${seconds.toFixed(1)} s`).join('\n'))
}
