import { z } from 'zod'

const levelName = z.enum(['16', '8', '4', '3', '2', 'int8'])
const levelEntry = z.union([z.literal(16), z.literal(8), z.literal(4), z.literal(3), z.literal(2), levelName])

const groupSize = z
  .number()
  .int()
  .refine((value) => value === -1 || value > 0, 'group size is a positive whole number, or -1 for one group per row')

/** Quantizer settings used where neither the config nor a level override gives one. */
export const QUANTIZE_DEFAULTS = {
  method: 'gptq',
  groupSize: 128,
  sym: true,
  actOrder: false,
  staticGroups: false,
  damp: 0.01,
  blockSize: 128,
  format: 'gptq',
} as const

/** Every field optional and without defaults, so a level override changes only what it names. */
const quantizeSchema = z
  .strictObject({
    method: z.enum(['gptq', 'rtn']).describe('gptq (with calibration) or rtn (round to nearest); default gptq; the int8 level is always LLM.int8 rowwise'),
    groupSize: groupSize.describe('input columns sharing one scale and zero, -1 for one group per row; default 128'),
    sym: z.boolean().describe('symmetric grid (zero fixed at the middle); default true'),
    actOrder: z.boolean().describe('quantize columns by descending Hessian diagonal (desc_act); default false'),
    staticGroups: z.boolean().describe('compute group scales up front from the original weights; default false'),
    damp: z.number().min(0).max(1).describe('dampening, as a fraction of the mean Hessian diagonal; default 0.01'),
    blockSize: z.number().int().positive().describe('columns per lazy GPTQ block; default 128'),
    format: z.enum(['gptq', 'gptq_v2']).describe('checkpoint zero-point format: gptq stores zero - 1, gptq_v2 the true zero; default gptq'),
  })
  .partial()

const levelSpec = z.strictObject({
  from: z.string().optional().describe('an existing checkpoint folder to ingest instead of quantizing'),
  format: z.enum(['gptq', 'gptq_v2']).optional().describe('zero-point format of the `from` checkpoint (default: its checkpoint_format)'),
  quantize: quantizeSchema.optional().describe('overrides of the shared quantize settings for this level'),
})

const textSource = z.string().min(1).describe('"default" (built-in English text) or a path: .txt, .jsonl with "text", or .json token ids')

export const chainConfigSchema = z.strictObject({
  $schema: z.string().optional(),
  name: z.string().regex(/^[\w.-]+$/, 'letters, digits, dot, dash and underscore only').optional().describe('names the container and report (default: the source folder name)'),
  source: z.string().min(1).describe('the 16-bit model: a local folder or a hub id org/name[@revision] in the Hugging Face cache'),
  levels: z
    .union([z.array(levelEntry).min(1), z.record(z.string(), levelSpec)])
    .describe('precisions to keep: [16, 8, 4], or an object { "8": { "from": "<dir>" }, ... }'),
  topology: z.string().optional().describe('e.g. "4 > 8|4 > 16|8" (the default for 16/8/4), "4 > 16|4", "int8 > 16|int8"'),
  quantize: quantizeSchema.default({}),
  calibration: z
    .strictObject({
      source: textSource.default('default'),
      samples: z.number().int().positive().default(128),
      seqLen: z.number().int().min(2).default(512),
      seed: z.number().int().default(0),
    })
    .default({ source: 'default', samples: 128, seqLen: 512, seed: 0 }),
  evaluation: z
    .strictObject({
      enabled: z.boolean().default(true),
      source: textSource.default('default'),
      samples: z.number().int().positive().default(16),
      seqLen: z.number().int().min(2).default(512),
      seed: z.number().int().default(1),
    })
    .default({ enabled: true, source: 'default', samples: 16, seqLen: 512, seed: 1 })
    .describe('held-out text for per-level perplexity'),
  output: z
    .strictObject({
      dir: z.string().default('outputs').describe('folder for the container and the report'),
      checkpoints: z.boolean().default(false).describe('also write each quantized level as a checkpoint folder'),
    })
    .default({ dir: 'outputs', checkpoints: false }),
  report: z
    .strictObject({
      baselines: z.boolean().default(true).describe('also size every level with zstd-19 and with Huffman alone (slow on large models: zstd-19 runs at a few MB/s)'),
    })
    .default({ baselines: true }),
  verify: z.boolean().default(true).describe('decode every level after writing and compare hashes'),
  workers: z.number().int().min(1).optional().describe('threads coding and decoding tensors (default: the cores available; 1 runs on the main thread); the container is the same for any count'),
})

export type ChainConfigInput = z.input<typeof chainConfigSchema>
export type RawChainConfig = z.output<typeof chainConfigSchema>
export type QuantizeSettings = Required<z.output<typeof quantizeSchema>>
export type LevelSpec = z.output<typeof levelSpec>

/** The JSON Schema editors use to check chain.config.json files. */
export function chainConfigJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(chainConfigSchema, { io: 'input', target: 'draft-2020-12' }) as Record<string, unknown>
}
