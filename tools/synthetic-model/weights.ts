import { seededRandom } from '@qchain/fixtures'
import { f32ToBf16 } from '@qchain/tensor'
import type { TensorShape } from './shapes.js'

/**
 * Trained weights are heavy-tailed and some input features are louder than others: each
 * value is Laplace-distributed (std 0.02) times a per-column gain drawn log-normally,
 * which gives GPTQ groups of unequal scale and outliers, as real checkpoints have.
 */
export function syntheticTensor(tensor: TensorShape, seed: number): Uint16Array {
  const next = seededRandom(seed)
  const count = tensor.shape.reduce((a, b) => a * b, 1)
  const values = new Float32Array(count)
  if (tensor.kind === 'norm') {
    for (let i = 0; i < count; i++) values[i] = 1 + (next() - 0.5) * 0.2
    return f32ToBf16(values)
  }
  const cols = tensor.shape[1] ?? count
  const gains = new Float32Array(cols)
  for (let c = 0; c < cols; c++) {
    const normal = Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next())
    gains[c] = Math.exp(0.35 * normal)
  }
  // Laplace with scale b has std b * sqrt(2).
  const b = 0.02 / Math.SQRT2
  for (let i = 0, c = 0; i < count; i++) {
    const u = next() - 0.5
    // The tiny offset keeps log finite when u is exactly -0.5.
    const magnitude = -b * Math.log(1 - 2 * Math.abs(u) + 2 ** -33)
    values[i] = (u < 0 ? -magnitude : magnitude) * (gains[c] as number)
    if (++c === cols) c = 0
  }
  return f32ToBf16(values)
}
