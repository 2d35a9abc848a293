import { byteLength, bytesSource, DTYPES, openSafetensors, tensorsInFileOrder, type TensorSpec } from '@qchain/safetensors'
import { joinFile, safetensorsBytes, splitFile } from '../corpus/safetensors-file.js'
import { mutateBytes } from '../mutate.js'
import { mutateJson } from '../mutate-json.js'
import { OK, wrong, type FuzzTarget, type Verdict } from '../outcome.js'
import { Rng } from '../rng.js'

/** Small valid files: 0-5 tensors of every dtype, 0-3 dims (zero-size ones too), with and without metadata. */
function buildFiles(): Uint8Array[] {
  const rng = new Rng(0x5afe)
  const files: Uint8Array[] = []
  for (let f = 0; f < 16; f++) {
    const specs: TensorSpec[] = Array.from({ length: rng.int(6) }, (_, i) => ({
      name: rng.chance(0.8) ? `model.layers.${i}.weight` : `t${i}`,
      dtype: rng.pick(DTYPES),
      shape: Array.from({ length: rng.int(4) }, () => rng.int(7)),
    }))
    files.push(safetensorsBytes(specs, rng, rng.chance(0.3) ? { format: 'pt', note: 'x'.repeat(rng.int(40)) } : undefined))
  }
  return files
}

/** Why an accepted file breaks the documented layout rules, or undefined when it keeps them. */
async function layoutProblem(bytes: Uint8Array): Promise<string | undefined> {
  const file = await openSafetensors(bytesSource(bytes, 'fuzz.safetensors'))
  const { header } = file
  if (header.dataStart + header.dataSize !== bytes.length) return `header and data cover ${header.dataStart + header.dataSize} of ${bytes.length} bytes`
  let cursor = 0
  for (const info of tensorsInFileOrder(header)) {
    if (info.begin !== cursor) return `tensor ${info.name} starts at ${info.begin}, not ${cursor}`
    if (byteLength(info.shape, info.dtype) !== info.end - info.begin) return `tensor ${info.name} holds ${info.end - info.begin} bytes for its shape`
    const data = await file.read(info.name)
    if (data.length !== info.end - info.begin) return `tensor ${info.name} read ${data.length} bytes`
    cursor = info.end
  }
  return cursor === header.dataSize ? undefined : `tensors end at ${cursor} of a ${header.dataSize}-byte data section`
}

/** safetensors headers: byte-level damage, and JSON-level damage behind a correct length prefix. */
export const safetensorsTarget: FuzzTarget = {
  name: 'safetensors',
  async prepare() {
    const files = buildFiles()
    return {
      async run(rng, log): Promise<Verdict> {
        const original = rng.pick(files)
        let bytes: Uint8Array
        const { json, data } = splitFile(original)
        const structural = rng.chance(0.4) ? mutateJson(json, rng) : undefined
        if (structural) {
          bytes = joinFile(structural.text, data)
          log.push(structural.did)
        } else {
          const mutated = mutateBytes(original, rng)
          bytes = mutated.bytes
          log.push(mutated.did)
        }
        const problem = await layoutProblem(bytes)
        return problem ? wrong(problem) : OK
      },
    }
  },
}
