import { maxCode, quantizeCode } from './grid.js'
import { GroupParams } from './group-params.js'
import { groupLayout } from './groups.js'
import { identityOrder } from './hessian-prep.js'
import type { QuantizedLayer } from './layer.js'
import { checkMatrix, resolveQuantizeOptions, type QuantizeOptions } from './options.js'

/** Round to nearest on the same grid as GPTQ (same groups, fp16 scales), without error feedback. */
export function rtnQuantize(weight: Float32Array, rows: number, cols: number, options: QuantizeOptions): QuantizedLayer {
  const grid = resolveQuantizeOptions(options)
  checkMatrix(weight, rows, cols, 'weight')
  const layout = groupLayout(cols, grid.groupSize, identityOrder(cols), true)
  const params = new GroupParams(layout, rows, cols, grid)
  params.fitAll(weight)
  const maxq = maxCode(grid.bits)
  const codes = new Uint8Array(rows * cols)
  const dequantized = new Float32Array(rows * cols)
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < cols; j++) {
      const at = (layout.gIdx[j] as number) * rows + r
      const scale = params.scales[at] as number
      const zero = params.zeros[at] as number
      const code = quantizeCode(weight[r * cols + j] as number, scale, zero, maxq)
      codes[r * cols + j] = code
      dequantized[r * cols + j] = scale * (code - zero)
    }
  }
  return { rows, cols, ...grid, codes, scales: params.scaleBits, zeros: params.zeros, gIdx: layout.gIdx, weight: dequantized }
}
