/**
 * Child process for the atomicity test: writes a container slowly, announcing each step on
 * stdout, so the parent can SIGKILL it anywhere, including inside finish().
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { createContainerWriter } from '../src/node/index.js'
import { randomBytes } from './chain.js'

const [path, count = '30'] = process.argv.slice(2)
if (!path) throw new Error('usage: slow-writer.ts <path> [sections]')
const writer = await createContainerWriter(path, { levels: [{ name: '4', parent: null }] })
writer.addRebuiltFile('4', { name: 'model.safetensors', size: 1, sha256: '0'.repeat(64) })
for (let i = 0; i < Number(count); i++) {
  const id = await writer.addSection(randomBytes(64 * 1024 + i, i + 1), { role: 'payload', level: '4' })
  writer.addTensor('4', { name: `t${i}`, file: 'model.safetensors', dtype: 'U8', shape: [1], codec: 'raw', sections: [id], sha256: '0'.repeat(64) })
  process.stdout.write(`section ${i}\n`)
  await sleep(10)
}
process.stdout.write('finishing\n')
await writer.finish()
process.stdout.write('done\n')
