import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { resolveModel } from '@qchain/model'
import { openSafetensorsFolder } from '@qchain/safetensors/node'
import { analyzeQuantized, analyzeSixteenBit, type LevelAnalysis } from '../analyze/analyze-levels.js'
import { renderAnalysis } from '../analyze/render.js'
import { requiredFlag } from '../flags.js'
import { progressLines } from '../progress.js'
import { writeTextAtomically } from '../write-text.js'

export const ANALYZE_HELP = `qchain analyze --model <16-bit dir|hub-id> [--level <quantized dir> ...] [--json] [--out <dir>]

What each level costs: per level and per tensor, the values, raw bytes, the bytes qchain's
Huffman coder writes (tables, headers and side information counted), the order-0 entropy
bound, and lz4, zstd-3 and zstd-19 on the same bytes. Every coded stream is decoded again
and compared, so a row is only printed for a bit-exact round trip.

  --level <dir>   a GPTQ or LLM.int8 checkpoint of the same model (repeatable)
  --json          print the full analysis (per tensor) as JSON
  --out <dir>     also write analysis.md and analysis.json there`

export async function runAnalyze(args: string[], print: (text: string) => void): Promise<void> {
  const { values } = parseArgs({
    args,
    strict: true,
    options: { model: { type: 'string' }, level: { type: 'string', multiple: true }, json: { type: 'boolean', default: false }, out: { type: 'string' } },
  })
  const { path } = await resolveModel(requiredFlag(values.model, 'model'))
  const report = progressLines()
  const levels: LevelAnalysis[] = [await analyzeSixteenBit(path, (done, total) => report(`analyze 16-bit: tensor ${done + 1}/${total}`))]
  const sixteenBit = await openSafetensorsFolder(path)
  try {
    for (const level of values.level ?? []) {
      const { path: levelPath } = await resolveModel(level)
      levels.push(await analyzeQuantized(levelPath, sixteenBit, (done, total) => report(`analyze ${levelPath}: matrix ${done + 1}/${total}`)))
    }
  } finally {
    await sixteenBit.close()
  }
  const json = JSON.stringify({ model: path, levels }, null, 2)
  const markdown = renderAnalysis(levels)
  if (values.out) {
    await mkdir(values.out, { recursive: true })
    await writeTextAtomically(join(values.out, 'analysis.json'), `${json}\n`)
    await writeTextAtomically(join(values.out, 'analysis.md'), `# qchain analyze: ${path}\n\n${markdown}\n`)
  }
  print(values.json ? json : markdown)
}
