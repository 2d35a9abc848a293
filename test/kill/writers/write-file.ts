/** Kill-test child: writes version <a|b|c> of a safetensors file at <path>, one tensor per step. */
import { setTimeout as sleep } from 'node:timers/promises'
import { encodeHeader } from '@qchain/safetensors'
import { writeSafetensorsFile } from '@qchain/safetensors/node'
import { bytesOf, specsOf, type Version } from './payload.js'

const [path, version] = process.argv.slice(2) as [string, Version]
const specs = specsOf(version)
await writeSafetensorsFile(path, encodeHeader(specs), async (info) => {
  process.stderr.write(`@tensor ${info.name}\n`)
  await sleep(10)
  return bytesOf(version, specs.find((spec) => spec.name === info.name) as (typeof specs)[number])
})
