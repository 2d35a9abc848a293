// @qchain/gptq: RTN and LLM.int8 codes are on their grids and pack/unpack exactly; GPTQ on
// correlated inputs beats RTN's output error (this part starts the tfjs wasm backend).
import {
  dequantize,
  dequantizeGptqLayer,
  gptqQuantize,
  HessianAccumulator,
  initTfjsWasm,
  packGptqLayer,
  quantizeConfig,
  quantizeInt8Rowwise,
  rtnQuantize,
  unpackGptqLayer,
} from '@qchain/gptq'
import { packGptqLayer as packWithoutTfjs, unpackGptqLayer as unpackWithoutTfjs } from '@qchain/gptq/pack'
import { f16ToF32 } from '@qchain/tensor'
import { check, randomWeights, sameBytes, seededRandom } from './check.mjs'

const rows = 32
const cols = 128
const groupSize = 64
const weight = randomWeights(rows * cols, 4)

const rtn = rtnQuantize(weight, rows, cols, { bits: 4, groupSize })
check(rtn.codes.every((code) => code < 16) && rtn.scales.length === (cols / groupSize) * rows, '4-bit codes and one scale per group and row')
sameBytes(dequantize(rtn), rtn.weight, 'dequantize equals the layer weight')
const scales = f16ToF32(rtn.scales)
for (let i = 0; i < weight.length; i++) {
  const step = scales[Math.floor((i % cols) / groupSize) * rows + Math.floor(i / cols)]
  // Half a step, plus a little: the scale is rounded to fp16 and the top code of a symmetric grid is clamped.
  check(Math.abs(weight[i] - rtn.weight[i]) <= step * 0.51, `weight ${i} is within half a step of its code`)
}

const packed = packGptqLayer(rtn, 4, 'gptq')
check(packed.qweight.shape.join() === `${(cols * 4) / 32},${rows}`, `qweight shape ${packed.qweight.shape}`)
const unpacked = unpackGptqLayer(packed, 4, 'gptq')
sameBytes(packWithoutTfjs(rtn, 4, 'gptq').qweight.data, packed.qweight.data, '@qchain/gptq/pack packs the same qweight')
sameBytes(unpackWithoutTfjs(packed, 4, 'gptq').codes, rtn.codes, '@qchain/gptq/pack unpacks the codes')
sameBytes(unpacked.codes, rtn.codes, 'codes survive packing')
sameBytes(unpacked.zeros, rtn.zeros, 'zero points survive v1 packing')
sameBytes(dequantizeGptqLayer(packed, 4, 'gptq'), rtn.weight, 'the packed layer dequantizes to the same weight')
check(quantizeConfig({ bits: 4, groupSize }).group_size === groupSize, 'quantize_config.json')

const int8 = quantizeInt8Rowwise(Float32Array.of(4, -1, 0.5, 0, 0, 0), 2, 3)
check([...int8.weight].join() === '127,-32,16,0,0,0' && [...int8.scb].join() === '4,0', `int8 rowwise ${int8.weight} / ${int8.scb}`)

// Inputs with strongly correlated columns: where GPTQ's error feedback pays off.
const tokens = 512
const random = seededRandom(5)
const inputs = new Float32Array(tokens * cols)
for (let t = 0; t < tokens; t++) {
  const shared = random() - 0.5
  for (let c = 0; c < cols; c++) inputs[t * cols + c] = shared + 0.3 * (random() - 0.5)
}
await initTfjsWasm() // HessianAccumulator's matrix products run on tfjs wasm
const accumulator = new HessianAccumulator(cols)
accumulator.addBatch(inputs, tokens)
const gptq = await gptqQuantize(weight, rows, cols, accumulator.hessian(), { bits: 4, groupSize })
const outputError = (quantized) => {
  let sum = 0
  for (let t = 0; t < tokens; t += 4) {
    for (let r = 0; r < rows; r++) {
      let y = 0
      for (let c = 0; c < cols; c++) y += inputs[t * cols + c] * (weight[r * cols + c] - quantized[r * cols + c])
      sum += y * y
    }
  }
  return sum
}
const [gptqError, rtnError] = [outputError(gptq.weight), outputError(rtn.weight)]
check(gptqError < rtnError * 0.8, `GPTQ output error ${gptqError} below RTN's ${rtnError}`)
console.log('gptq ok')
