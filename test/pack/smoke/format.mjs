// @qchain/format: a two-level container written in memory opens over a byte source, plans a
// level's sections, returns files and sections checksum-verified, and detects a flipped byte.
import { createMemoryWriter, FormatError, openContainer, sha256Hex } from '@qchain/format'
import { bytesSource } from '@qchain/safetensors'
import { check, sameBytes } from './check.mjs'

const encoder = new TextEncoder()
const config = encoder.encode('{"model_type":"llama"}')
const base = Uint8Array.from({ length: 1000 }, (_, i) => i % 251)
const delta = Uint8Array.from({ length: 300 }, (_, i) => (i * 7) % 256)

const writer = createMemoryWriter({ levels: [{ name: '4', parent: null }, { name: '8', parent: '4' }], metadata: { model: 'smoke' } })
await writer.addFile('4', 'config.json', config)
await writer.addFile('8', 'config.json', config) // identical bytes: stored once
const baseSection = await writer.addSection(base, { role: 'payload', level: '4' })
const deltaSection = await writer.addSection(delta, { role: 'payload', level: '8' })
writer.addRebuiltFile('4', { name: 'model.safetensors', size: base.length, sha256: await sha256Hex(base) })
writer.addRebuiltFile('8', { name: 'model.safetensors', size: delta.length, sha256: await sha256Hex(delta) })
const tensor = { name: 'w', file: 'model.safetensors', dtype: 'U8', shape: [1000], codec: 'raw', sha256: await sha256Hex(base) }
writer.addTensor('4', { ...tensor, sections: [baseSection] })
writer.addTensor('8', { ...tensor, shape: [300], sections: [deltaSection], given: ['w'], sha256: await sha256Hex(delta) })
const bytes = await writer.finish()

const container = await openContainer(bytesSource(bytes, 'smoke.qchain'))
check(container.levels.join() === '4,8' && container.chain('8').join() === '8,4', `levels ${container.levels}, chain ${container.chain('8')}`)
check(container.index.metadata.model === 'smoke', 'metadata kept')
const plan = container.planLevel('8')
check(plan.sections.includes(baseSection) && plan.sections.includes(deltaSection), 'level 8 needs its parent section too')
check(!container.planLevel('4').sections.includes(deltaSection), 'level 4 does not need level 8')
sameBytes(await container.readFile('8', 'config.json'), config, 'verbatim file')
const sections = await container.readSections(plan.sections)
sameBytes(sections.get(baseSection), base, 'base section')
sameBytes(sections.get(deltaSection), delta, 'level 8 section')
const report = await container.verify()
check(report.sections === container.index.sections.length && report.bytes >= base.length + delta.length, `verify read ${report.sections} sections, ${report.bytes} bytes`)

// One flipped payload byte fails that section's checksum.
const damaged = Uint8Array.from(bytes)
const offset = container.index.sections[deltaSection].offset
damaged[offset] ^= 1
const broken = await openContainer(bytesSource(damaged, 'damaged.qchain'))
const failure = await broken.readSection(deltaSection).then(() => undefined, (error) => error)
check(failure instanceof FormatError, `a damaged section is a FormatError, got ${failure}`)
console.log('format ok')
