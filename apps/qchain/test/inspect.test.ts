import { describe, expect, it } from 'vitest'
import { fixturePath, hasFixture } from '@qchain/fixtures'
import { main } from '../src/cli.js'
import { inspectPath, renderInspect } from '../src/commands/inspect.js'

async function run(args: string[]): Promise<{ code: number; out: string }> {
  let out = ''
  const code = await main(args, (text) => {
    out += `${text}\n`
  })
  return { code, out }
}

describe.skipIf(!hasFixture('isnet-fp16'))('qchain inspect', () => {
  it('reports 238 F16 tensors and 44,017,990 parameters for isnet-fp16 as JSON', async () => {
    const { code, out } = await run(['inspect', fixturePath('isnet-fp16'), '--json'])
    expect(code).toBe(0)
    const report = JSON.parse(out)
    expect(report.totals).toMatchObject({ tensors: 238, parameters: 44_017_990, bytes: 88_035_980 })
    expect(Object.keys(report.totals.byDtype)).toEqual(['F16'])
    expect(report.tensors[0]).toEqual({ name: 'conv_in.weight', dtype: 'F16', shape: [64, 3, 3, 3], parameters: 1728, bytes: 3456, file: 'model.safetensors' })
    expect(report.configProblem).toMatch(/no config.json/)
  })

  it('summarizes the model config of a Llama folder and reads a single file too', async () => {
    const report = await inspectPath(fixturePath('babyllama-105-bf16'))
    expect(report.config).toMatchObject({ modelType: 'llama', numLayers: 5, hiddenSize: 128 })
    expect(renderInspect(report)).toMatch(/47 tensors, 936,448 parameters/)
    const single = await inspectPath(fixturePath('babyllama-105-bf16', 'model.safetensors'))
    expect(single.totals.parameters).toBe(936_448)
    expect(single.config).toBeUndefined()
  })
})

describe('qchain command line', () => {
  it('prints help with exit 0, and usage with exit 2 when no command is given', async () => {
    expect(await run(['--help'])).toMatchObject({ code: 0, out: expect.stringContaining('inspect') })
    expect((await run(['inspect', '--help'])).out).toContain('qchain inspect <path|hub-id|container.qchain> [--json]')
    expect((await run([])).code).toBe(2)
  })

  it('exits with the documented code for each kind of failure', async () => {
    expect((await run(['frobnicate'])).code).toBe(2)
    expect((await run(['inspect'])).code).toBe(2)
    expect((await run(['inspect', 'x', '--bogus'])).code).toBe(2)
    expect((await run(['inspect', '/nonexistent/model'])).code).toBe(4)
    expect((await run(['--log-level', 'loud', 'inspect', 'x'])).code).toBe(2)
  })
})
