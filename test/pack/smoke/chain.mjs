// @qchain/chain: levels 4 > 8|4 > 16|8 of a small model go into one container that is smaller
// than the three folders, verifies, and gives every level's files back byte for byte.
import { mkdir, readdir, readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { chainReader, ChainError, orderLevels } from '@qchain/chain'
import { extractLevel, verifyChain, writeChain } from '@qchain/chain/node'
import { openContainerFile } from '@qchain/format/node'
import { quantizeModel } from '@qchain/quantize'
import { check, sameBytes, withTempDir } from './check.mjs'
import { writeTinyModel } from './tiny-model.mjs'

const levels = [{ name: '16', parent: '8' }, { name: '4', parent: null }, { name: '8', parent: '4' }]
check(orderLevels(levels).map((level) => level.name).join() === '4,8,16', 'parents come first')
let loop
try {
  orderLevels([{ name: '4', parent: null }, { name: '8', parent: '16' }, { name: '16', parent: '8' }])
} catch (error) {
  loop = error
}
check(loop instanceof ChainError, `a loop is refused: ${loop}`)

const folderBytes = async (dir) => {
  let total = 0
  for (const name of await readdir(dir)) total += (await stat(join(dir, name))).size
  return total
}

await withTempDir(async (dir) => {
  const model = join(dir, 'model')
  await mkdir(model)
  await writeTinyModel(model)
  const rtn = (bits) => ({ method: 'rtn', options: { bits, groupSize: 32 }, format: 'gptq' })
  const dirs = { 4: join(dir, 'rtn-4'), 8: join(dir, 'rtn-8'), 16: model }
  await quantizeModel(model, [{ request: rtn(4), target: dirs[4] }, { request: rtn(8), target: dirs[8] }])

  const path = join(dir, 'smoke.qchain')
  const { size } = await writeChain(path, levels.map((level) => ({ ...level, dir: dirs[level.name] })))
  const separate = (await folderBytes(dirs[4])) + (await folderBytes(dirs[8])) + (await folderBytes(dirs[16]))
  check(size === (await stat(path)).size && size < separate, `container ${size} bytes, levels apart ${separate}`)

  const container = await openContainerFile(path)
  try {
    const reader = chainReader(container)
    const { failures, checked } = await verifyChain(reader)
    check(failures.length === 0 && checked > 0, `verify: ${checked} checked, failures ${JSON.stringify(failures)}`)
    for (const level of ['4', '8', '16']) {
      const out = join(dir, `restored-${level}`)
      await extractLevel(reader, level, out)
      const names = (await readdir(dirs[level])).sort()
      check((await readdir(out)).sort().join() === names.join(), `level ${level}: the same files`)
      for (const name of names) sameBytes(await readFile(join(out, name)), await readFile(join(dirs[level], name)), `level ${level}: ${name}`)
    }
  } finally {
    await container.close()
  }
})
console.log('chain ok')
