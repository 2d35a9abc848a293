/** Kill-test child: writes version <a|b|c> of a model's weights into <dir> with createFolderWriter, in shards. */
import { setTimeout as sleep } from 'node:timers/promises'
import { createFolderWriter } from '@qchain/safetensors/node'
import { bytesOf, specsOf, type Version } from './payload.js'

const [dir, version] = process.argv.slice(2) as [string, Version]
const specs = specsOf(version)
// a: 2 shards, b and c: 3 shards, so finish() meets other shard names and the same ones.
const writer = await createFolderWriter(dir, specs, { maxShardBytes: version === 'a' ? 80_000 : 100_000 })
for (const spec of [...specs].reverse()) {
  process.stderr.write(`@tensor ${spec.name}\n`)
  await writer.write(spec.name, bytesOf(version, spec))
  await sleep(10)
}
await writer.finish()
