import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openSafetensorsFolder } from '@qchain/safetensors/node'
import { tf } from '@qchain/tensor/tfjs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createModel, disposeBlockWeights, disposeModel, embed, finalLogits, forward, LINEAR_INPUT_GROUPS, loadBlockWeights, ModelError, runBlock, type LinearInputGroup, type LlamaModel } from '../src/index.js'
import { BABYLLAMA_FP16, HAS_BABYLLAMA, MISSING_BABYLLAMA, readReference } from './fixture.js'

const reference = HAS_BABYLLAMA ? readReference(BABYLLAMA_FP16) : undefined

describe.skipIf(!HAS_BABYLLAMA)(`forward pass on babyllama-105 fp16${HAS_BABYLLAMA ? '' : ` (${MISSING_BABYLLAMA})`}`, () => {
  let model: LlamaModel
  beforeAll(async () => {
    model = await createModel(BABYLLAMA_FP16)
  })
  afterAll(() => disposeModel(model))

  it('matches the float64 reference logits of the last 8 positions within 1e-3', () => {
    const golden = reference!.golden
    const logits = forward(model, [golden.tokens])
    const last8 = tf.tidy(() => tf.slice(logits, [0, golden.tokens.length - 8, 0], [1, 8, -1]).arraySync()[0] as number[][])
    logits.dispose()
    const maxError = Math.max(...last8.flatMap((row, position) => row.map((value, id) => Math.abs(value - golden.logits_last8[position]![id]!))))
    console.info(`golden logits: max abs error ${maxError.toExponential(2)}`)
    expect(maxError).toBeLessThan(1e-3)
  })

  it('gives the same logits when run block by block with weights loaded per block, and shows each linear layer its input', async () => {
    const tokens = reference!.evaluation.slice(0, 2).map((sequence) => sequence.slice(0, 32))
    const whole = forward(model, tokens)
    const { config } = model
    const seen: string[] = []
    const expectedWidth: Record<LinearInputGroup, number> = { qkv: config.hiddenSize, o: config.numHeads * config.headDim, gateUp: config.hiddenSize, down: config.intermediateSize }
    const folder = await openSafetensorsFolder(BABYLLAMA_FP16)
    let hidden = embed(tokens, model.outer.embedding, config)
    try {
      for (let layer = 0; layer < config.numLayers; layer++) {
        const weights = await loadBlockWeights(folder, config, layer)
        const next = runBlock(hidden, weights, config, {
          onLinearInput: (group, input) => {
            expect(input.shape).toEqual([2 * 32, expectedWidth[group]])
            seen.push(`${layer}:${group}`)
          },
        })
        disposeBlockWeights(weights)
        hidden.dispose()
        hidden = next
      }
    } finally {
      await folder.close()
    }
    const byBlock = finalLogits(hidden, model.outer, config)
    expect(seen).toEqual(Array.from({ length: config.numLayers }, (_, layer) => Object.keys(LINEAR_INPUT_GROUPS).map((group) => `${layer}:${group}`)).flat())
    expect(maxAbsDifference(whole, byBlock)).toBe(0)
    tf.dispose([whole, byBlock, hidden])
  })

  it('runs a block with replaced linear weights', () => {
    const [first] = model.blocks
    const hidden = embed([[1, 2, 3]], model.outer.embedding, model.config)
    const zeroedDown = tf.zerosLike(first!.linears.down_proj.weight)
    const replaced = { ...first!, linears: { ...first!.linears, down_proj: { weight: zeroedDown } } }
    const captured: tf.Tensor2D[] = []
    const withoutMlp = runBlock(hidden, replaced, model.config, { onLinearInput: (group, input) => group === 'gateUp' && captured.push(tf.keep(input)) })
    // A zero down_proj leaves only the attention residual: h + attention(norm(h)), the MLP's input.
    const { rmsNormEps } = model.config
    const recomputed = tf.tidy(() => tf.reshape(tf.mul(tf.mul(withoutMlp, tf.rsqrt(tf.add(tf.mean(tf.square(withoutMlp), -1, true), rmsNormEps))), first!.postAttentionNorm), [3, -1]))
    expect(maxAbsDifference(recomputed, captured[0]!)).toBeLessThan(1e-5)
    tf.dispose([hidden, zeroedDown, withoutMlp, recomputed, ...captured])
  })

  it('adds the q/k/v biases when the config has attention_bias', () => {
    // Attention weights sum to 1, so a v_proj bias shifts every row of o_proj's input by exactly that bias.
    const [first] = model.blocks
    const config = { ...model.config, attentionBias: true }
    const hidden = embed([[1, 2, 3, 4]], model.outer.embedding, config)
    const width = config.numKvHeads * config.headDim
    const zeros = tf.zeros([width]) as tf.Tensor1D
    const vBias = tf.tensor1d(Array.from({ length: width }, (_, i) => i / width))
    const withBiases = (bias: tf.Tensor1D) => ({ ...first!, linears: { ...first!.linears, k_proj: { ...first!.linears.k_proj, bias: zeros }, v_proj: { ...first!.linears.v_proj, bias } } })
    const oInputs = [zeros, vBias].map((bias) => {
      let captured: tf.Tensor2D | undefined
      runBlock(hidden, withBiases(bias), config, { onLinearInput: (group, input) => void (group === 'o' && (captured = tf.keep(input))) }).dispose()
      return captured!
    })
    const shift = tf.tidy(() => tf.sub(oInputs[1]!, oInputs[0]!))
    const expected = tf.tidy(() => tf.tile(tf.reshape(tf.tile(tf.reshape(vBias, [config.numKvHeads, 1, config.headDim]), [1, config.numHeads / config.numKvHeads, 1]), [1, -1]), [4, 1]))
    expect(maxAbsDifference(shift, expected)).toBeLessThan(1e-5)
    tf.dispose([hidden, zeros, vBias, shift, expected, ...oInputs])
  })

  it('leaves no tensors behind', () => {
    const logits = forward(model, [reference!.golden.tokens])
    logits.dispose()
    const before = tf.memory().numTensors
    for (let i = 0; i < 3; i++) forward(model, [reference!.golden.tokens]).dispose()
    expect(tf.memory().numTensors).toBe(before)
  })

  it('rejects token ids outside the vocabulary, naming the position', () => {
    const call = () => forward(model, [[1, 2, 3], [4, 105, 6]])
    expect(call).toThrow(ModelError)
    expect(call).toThrow(/token id 105 at position 1 of sequence 1 is outside the vocabulary \[0, 105\)/)
    expect(() => forward(model, [[1, -1]])).toThrow(/position 1/)
    expect(() => forward(model, [[1, 2.5]])).toThrow(ModelError)
    expect(() => forward(model, [[1, 2], [3]])).toThrow(/equal lengths/)
  })
})

describe.skipIf(!HAS_BABYLLAMA)('weights that do not fit the config', () => {
  let dir: string
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'qchain-forward-'))
  })
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it('names the missing tensor and the file', async () => {
    // The fixture's config without tied embeddings asks for an lm_head.weight it does not have.
    await cp(BABYLLAMA_FP16, dir, { recursive: true })
    const config = JSON.parse(await readFile(join(BABYLLAMA_FP16, 'config.json'), 'utf8')) as Record<string, unknown>
    await writeFile(join(dir, 'config.json'), JSON.stringify({ ...config, tie_word_embeddings: false }))
    const tensorsBefore = tf.memory().numTensors
    const error = await createModel(dir).catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(ModelError)
    expect((error as ModelError).context).toMatchObject({ tensor: 'lm_head.weight', file: dir })
    expect((error as ModelError).message).toMatch(/model\.safetensors/)
    // the embedding and final norm read before the failure were released
    expect(tf.memory().numTensors).toBe(tensorsBefore)
  })
})

function maxAbsDifference(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0] as number)
}
