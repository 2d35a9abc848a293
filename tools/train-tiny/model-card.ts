import type { AdamWOptions } from './adamw.js'
import type { Architecture } from './architecture.js'
import type { FolderEvaluation } from './evaluate-folder.js'
import type { TrainOptions } from './options.js'

export interface ModelCardInput {
  architecture: Architecture
  parameters: number
  options: TrainOptions
  adam: AdamWOptions
  command: string
  trainSeconds: number
  finalTrainLoss: number
  evaluations: { step: number; nll: number }[]
  evaluation: FolderEvaluation
  folderBytes: number
}

/** MODEL.md: how the committed model was made and how good it is, from the run's own figures. */
export function modelCard(input: ModelCardInput): string {
  const { architecture: a, parameters, options: o, adam, command, trainSeconds, finalTrainLoss, evaluations, evaluation: e, folderBytes } = input
  const uniform = Math.log(a.vocabSize)
  const tokens = o.steps * o.batch * o.seqLen
  const nats = (value: number) => `${value.toFixed(4)} nats/token (perplexity ${Math.exp(value).toFixed(3)})`
  return `# tiny: a character-level Llama trained by qchain itself

The embedded default model: a ${(parameters / 1e6).toFixed(2)} M-parameter LlamaForCausalLM with a
character vocabulary, trained from scratch by \`tools/train-tiny\` with the
\`@qchain/model\` forward (TensorFlow.js, wasm backend) and its gradients. No published
weights were used. It exists so qchain's main job runs offline on a fresh machine; it spells
English words and short phrases but makes little sense.

## Architecture
| field | value |
| --- | --- |
| hidden / intermediate | ${a.hiddenSize} / ${a.intermediateSize} |
| layers | ${a.numLayers} |
| attention heads / key-value heads / head dim | ${a.numHeads} / ${a.numKvHeads} / ${a.hiddenSize / a.numHeads} |
| vocabulary | ${a.vocabSize}: \`<unk>\` 0, \`<s>\` 1, \`</s>\` 2, the space marker \`▁\`, then the ${a.vocabSize - 4} most frequent Latin-script letters, digits, punctuation and symbols of the training text |
| positions | ${a.maxPositions} (RoPE, theta 10000), RMSNorm eps 1e-5, SiLU MLP, untied lm_head |
| weights | BF16 (trained in float32), ${(folderBytes / 1e6).toFixed(2)} MB for the whole folder |

Every linear layer reads ${a.hiddenSize} or ${a.intermediateSize} features, multiples of 128, so GPTQ's 128-column groups fit.

## Data
English sentences of the npm package \`nlp-corpus\` (MIT). Documents 0-89 train, 90-99 are
held out: the split \`@qchain/calibration\` uses for calibration and evaluation. A training
sequence is drawn like a calibration one: a random document, a random sentence, then \`<s>\`
and ${o.seqLen} tokens of text from there on.

## Training
| | |
| --- | --- |
| steps x batch x tokens | ${o.steps} x ${o.batch} x ${o.seqLen} = ${tokens.toLocaleString('en-US')} tokens seen |
| optimizer | AdamW (beta ${adam.beta1}, ${adam.beta2}; eps ${adam.epsilon}; weight decay ${adam.weightDecay} on matrices), gradients clipped to global norm ${adam.clipNorm} |
| learning rate | linear warmup over ${o.warmup} steps to ${o.peakLr}, cosine decay to ${Number((o.peakLr / 10).toPrecision(3))} |
| init | normal(0, 0.02), o_proj and down_proj scaled by 1/sqrt(2 x layers), norms 1; seed ${o.seed} (it seeds the batches too) |
| wall time | ${(trainSeconds / 60).toFixed(1)} min of training on one wasm thread of a shared 2-core machine |

Retrain (deterministic for a given seed and machine arithmetic):

\`\`\`sh
${command}
\`\`\`

## Results
Mean next-token negative log-likelihood of the stored BF16 weights, scored as \`qchain
perplexity\` does by default (${e.samples} sequences of ${e.seqLen} tokens from each split, seed 1), against ${nats(uniform)} for a uniform guess over the vocabulary:

| split | NLL |
| --- | --- |
| held out (documents 90-99) | ${nats(e.heldOutNll)} |
| train (documents 0-89) | ${nats(e.trainNll)} |
| train, mean batch loss of the last ${Math.max(1, Math.ceil(o.steps / 10))} steps (float32) | ${nats(finalTrainLoss)} |

Held-out NLL during training (float32): ${evaluations.map(({ step, nll }) => `step ${step}: ${nll.toFixed(3)}`).join(', ')}.

## Sample
Prompt \`${e.prompt}\`, greedy:

> ${e.greedy}

Sampled at temperature 0.8, seed 0:

> ${e.sampled}
`
}
