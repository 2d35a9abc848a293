// @qchain/safetensors: a file built in memory reads back exactly (main entry), is written
// atomically and reopened from disk (/node), and the fixture's header matches its config.
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { bytesSource, encodeHeader, openSafetensors, SafetensorsError } from '@qchain/safetensors'
import { openFileSource, openSafetensorsFolder, writeSafetensorsFile } from '@qchain/safetensors/node'
import { check, randomWeights, sameBytes, withTempDir } from './check.mjs'
import { fixtureDir } from './fixture.mjs'

const weight = new Uint8Array(randomWeights(6 * 4, 2).buffer)
const bias = Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8)
const header = encodeHeader([
  { name: 'layer.weight', dtype: 'F32', shape: [6, 4] },
  { name: 'layer.bias', dtype: 'I32', shape: [2] },
], { format: 'pt' })
const data = { 'layer.weight': weight, 'layer.bias': bias }
const file = new Uint8Array(header.dataStart + header.dataSize)
file.set(header.bytes)
for (const info of header.tensors) file.set(data[info.name], header.dataStart + info.begin)

const opened = await openSafetensors(bytesSource(file, 'memory.safetensors'))
check(opened.tensors.size === 2 && opened.header.metadata?.format === 'pt', 'header lists both tensors and the metadata')
sameBytes(await opened.read('layer.weight'), weight, 'tensor read from memory')

// A header that claims more data than the file has is refused with a typed error.
const truncated = file.subarray(0, file.length - 1)
const refused = await openSafetensors(bytesSource(truncated, 'short.safetensors')).then(() => undefined, (error) => error)
check(refused instanceof SafetensorsError, `a truncated file is a SafetensorsError, got ${refused}`)

await withTempDir(async (dir) => {
  const path = join(dir, 'model.safetensors')
  await writeSafetensorsFile(path, header, (info) => data[info.name])
  sameBytes(new Uint8Array(await readFile(path)), file, 'written file')
  const folder = await openSafetensorsFolder(dir)
  sameBytes(await folder.read('layer.bias'), bias, 'tensor read from the folder')
  await folder.close()
})

const fixture = fixtureDir('safetensors')
if (fixture) {
  const config = JSON.parse(await readFile(join(fixture, 'config.json'), 'utf8'))
  const source = await openFileSource(join(fixture, 'model.safetensors'))
  try {
    const model = await openSafetensors(source)
    check(model.header.dataStart + model.header.dataSize === source.size, 'header and data cover the file')
    const embed = model.tensors.get('model.embed_tokens.weight')
    check(embed?.dtype === 'F16', 'the fp16 fixture has an F16 embedding')
    check(embed.shape[0] === config.vocab_size && embed.shape[1] === config.hidden_size, `embedding shape ${embed.shape} matches config.json`)
    check((await model.read(embed.name)).length === config.vocab_size * config.hidden_size * 2, 'embedding bytes')
  } finally {
    await source.close()
  }
}
console.log('safetensors ok')
