import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openCheckpoint, type QuantizedCheckpoint } from '@qchain/quantize'
import { joinFile, splitFile } from '../corpus/safetensors-file.js'
import { buildTinyModel } from '../corpus/tiny-model.js'
import { mutateBytes } from '../mutate.js'
import { mutateJson } from '../mutate-json.js'
import { OK, wrong, type FuzzTarget, type Verdict } from '../outcome.js'
import type { Rng } from '../rng.js'

/** One file of a folder damaged: the safetensors file (bytes or header JSON) or quantize_config.json. */
function mutateFile(name: string, bytes: Uint8Array, rng: Rng): { bytes: Uint8Array; did: string } {
  if (rng.chance(0.5)) {
    if (name.endsWith('.safetensors')) {
      const { json, data } = splitFile(bytes)
      const mutated = mutateJson(json, rng)
      if (mutated) return { bytes: joinFile(mutated.text, data), did: mutated.did }
    } else if (name.endsWith('.json')) {
      const mutated = mutateJson(new TextDecoder().decode(bytes), rng)
      if (mutated) return { bytes: new TextEncoder().encode(mutated.text), did: mutated.did }
    }
  }
  return mutateBytes(bytes, rng)
}

/** Why what a checkpoint read back is malformed, or undefined. */
async function readProblem(checkpoint: QuantizedCheckpoint): Promise<string | undefined> {
  for (const prefix of checkpoint.prefixes) {
    const [rows, cols] = checkpoint.matrixShape(prefix)
    if (checkpoint.kind === 'gptq') {
      const bits = checkpoint.gptq?.bits ?? 0
      const codes = await checkpoint.readCodes(prefix)
      if (codes.rows !== rows || codes.cols !== cols || codes.codes.length !== rows * cols) return `${prefix}: codes for [${codes.rows}, ${codes.cols}], shape says [${rows}, ${cols}]`
      if (codes.codes.some((code) => code >> bits !== 0)) return `${prefix}: a code above ${bits} bits`
    } else {
      const level = await checkpoint.readInt8(prefix)
      if (!Number.isInteger(level.cols) || level.weight.length !== level.rows * level.cols || level.scb.length !== level.rows) return `${prefix}: int8 level of ${level.weight.length} codes, ${level.scb.length} SCB for [${level.rows}, ${level.cols}]`
    }
    const weight = await checkpoint.dequantized(prefix)
    if (weight.length !== rows * cols) return `${prefix}: dequantized ${weight.length} values for [${rows}, ${cols}]`
  }
  return undefined
}

/** openCheckpoint on GPTQ and LLM.int8 folders with one damaged file, written to disk (fewer cases: file I/O). */
export const checkpointTarget: FuzzTarget = {
  name: 'checkpoint',
  async prepare() {
    const { checkpoints } = await buildTinyModel()
    const root = await mkdtemp(join(tmpdir(), 'qchain-fuzz-checkpoint-'))
    for (const { name } of checkpoints) await mkdir(join(root, name))
    return {
      async run(rng, log): Promise<Verdict> {
        const checkpoint = rng.pick(checkpoints)
        const names = [...checkpoint.files.keys()].filter((name) => name !== 'tokenizer.json')
        const target = rng.chance(0.7) ? 'model.safetensors' : rng.pick(names)
        const dir = join(root, checkpoint.name)
        for (const [name, original] of checkpoint.files) {
          let bytes = original
          if (name === target) {
            const mutated = mutateFile(name, original, rng)
            bytes = mutated.bytes
            log.push(`${checkpoint.name}/${name}: ${mutated.did}`)
          }
          await writeFile(join(dir, name), bytes)
        }
        const opened = await openCheckpoint(dir)
        try {
          const problem = await readProblem(opened)
          return problem ? wrong(problem) : OK
        } finally {
          await opened.close()
        }
      },
      close: () => rm(root, { recursive: true, force: true }),
    }
  },
}
