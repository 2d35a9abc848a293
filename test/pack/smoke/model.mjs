// @qchain/model: config.json is validated and normalized, local paths resolve, a missing hub
// model is a typed not-found error; on the fixture, the forward pass reproduces the reference NLL.
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { createModel, disposeModel, ModelError, parseModelConfig, perplexity, readModelConfig, resolveModel } from '@qchain/model'
import { check, withTempDir } from './check.mjs'
import { fixtureDir } from './fixture.mjs'

const mistral = {
  architectures: ['MistralForCausalLM'],
  model_type: 'mistral',
  hidden_size: 4096,
  intermediate_size: 14336,
  num_hidden_layers: 32,
  num_attention_heads: 32,
  num_key_value_heads: 8,
  vocab_size: 32000,
  rms_norm_eps: 1e-5,
  rope_theta: 1000000.0,
  torch_dtype: 'bfloat16',
}
const config = parseModelConfig(mistral, 'config.json')
check(config.modelType === 'mistral' && config.numLayers === 32 && config.numKvHeads === 8, 'fields are normalized')
check(config.headDim === 128, `head_dim defaults to hidden / heads: ${config.headDim}`)
check(config.tieWordEmbeddings === false && config.attentionBias === false, 'defaults for mistral')

const unsupported = (() => {
  try {
    parseModelConfig({ ...mistral, model_type: 'gpt2', architectures: ['GPT2LMHeadModel'] }, 'config.json')
  } catch (error) {
    return error
  }
})()
check(unsupported instanceof ModelError && unsupported.problem === 'unsupported-architecture', `gpt2 is refused: ${unsupported}`)

await withTempDir(async (dir) => {
  const folder = join(dir, 'my-model')
  await mkdir(folder)
  await writeFile(join(folder, 'config.json'), JSON.stringify(mistral))
  check((await readModelConfig(folder)).hiddenSize === 4096, 'readModelConfig reads <dir>/config.json')
  const resolved = await resolveModel(folder)
  check(resolved.origin === 'path' && resolved.path === folder, `a local folder resolves to itself: ${resolved.path}`)
  // An empty Hugging Face cache: the error says where it looked.
  const missing = await resolveModel('org/absent-model', { env: { HF_HUB_CACHE: join(dir, 'hub') }, cwd: dir, home: dir }).then(() => undefined, (error) => error)
  check(missing instanceof ModelError && missing.problem === 'not-found' && missing.message.includes(join(dir, 'hub')), `missing model: ${missing}`)
})

const fixture = fixtureDir('model')
if (fixture) {
  const reference = JSON.parse(await readFile(join(fixture, 'reference.json'), 'utf8'))
  const model = await createModel(fixture)
  try {
    const { meanNll, predictions } = perplexity(model, reference.evaluation)
    const expected = reference.reference_nll_nats_per_token.float16
    check(predictions > 0 && Math.abs(meanNll - expected) < 1e-3, `mean NLL ${meanNll} vs reference ${expected}`)
  } finally {
    disposeModel(model)
  }
}
console.log('model ok')
