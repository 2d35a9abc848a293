// @qchain/quantize: RTN 4-bit and LLM.int8 checkpoint folders of a small model hold exactly the
// codes @qchain/gptq computes, keep the other tensors and side files, and read back by prefix.
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { quantizeInt8Rowwise, rtnQuantize } from '@qchain/gptq'
import { openCheckpoint, quantizeModel } from '@qchain/quantize'
import { f16ToF32 } from '@qchain/tensor'
import { check, sameBytes, withTempDir } from './check.mjs'
import { MATRICES, writeTinyModel } from './tiny-model.mjs'

await withTempDir(async (dir) => {
  const tensors = await writeTinyModel(dir)
  const options = { bits: 4, groupSize: 32, sym: true }
  const rtnDir = join(dir, 'rtn-4')
  const int8Dir = join(dir, 'int8')
  await quantizeModel(dir, [
    { request: { method: 'rtn', options, format: 'gptq' }, target: rtnDir },
    { request: { method: 'int8-rowwise' }, target: int8Dir },
  ])

  const rtn = await openCheckpoint(rtnDir)
  const int8 = await openCheckpoint(int8Dir)
  try {
    check(rtn.kind === 'gptq' && rtn.gptq?.bits === 4 && rtn.gptq.groupSize === 32, `rtn checkpoint settings ${JSON.stringify(rtn.gptq)}`)
    check(int8.kind === 'int8', `int8 checkpoint kind ${int8.kind}`)
    check(rtn.prefixes.sort().join() === Object.keys(MATRICES).map((name) => name.slice(0, -'.weight'.length)).sort().join(), `prefixes ${rtn.prefixes}`)
    for (const [name, [rows, cols]] of Object.entries(MATRICES)) {
      const prefix = name.slice(0, -'.weight'.length)
      const values = f16ToF32(tensors[name])
      const expected = rtnQuantize(values, rows, cols, options)
      const codes = await rtn.readCodes(prefix)
      sameBytes(codes.codes, expected.codes, `${prefix}: RTN codes`)
      sameBytes(codes.scales, expected.scales, `${prefix}: RTN scales`)
      sameBytes(await rtn.dequantized(prefix), expected.weight, `${prefix}: dequantized RTN weight`)
      const level = await int8.readInt8(prefix)
      const expectedInt8 = quantizeInt8Rowwise(values, rows, cols)
      sameBytes(level.weight, expectedInt8.weight, `${prefix}: int8 codes`)
      sameBytes(level.scb, expectedInt8.scb, `${prefix}: int8 SCB`)
    }
    sameBytes(await rtn.folder.read('norm.weight'), new Uint8Array(tensors['norm.weight'].buffer), 'the norm stays 16-bit')
    const quantizeConfig = JSON.parse(await readFile(join(rtnDir, 'quantize_config.json'), 'utf8'))
    check(quantizeConfig.bits === 4 && quantizeConfig.quant_method === 'gptq', 'quantize_config.json')
    check((await readFile(join(int8Dir, 'notes.txt'), 'utf8')) === 'carried along verbatim\n', 'side files are copied')
  } finally {
    await rtn.close()
    await int8.close()
  }
})
console.log('quantize ok')
