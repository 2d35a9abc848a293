import { readFile } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'
import { ConfigError } from '../src/config/levels.js'
import { parseChainConfig } from '../src/config/load.js'
import { chainConfigJsonSchema } from '../src/config/schema.js'
import { defaultTopology, formatTopology, parseTopology } from '../src/config/topology.js'

describe('topology', () => {
  it('parses and formats the chains the product names', () => {
    for (const text of ['4 > 8|4 > 16|8', '4 > 16|4', '8 > 16|8', 'int8 > 16|int8', '16']) expect(formatTopology(parseTopology(text))).toBe(text)
    expect(parseTopology(' 4>8|4 >16|4 ')).toEqual({ base: '4', conditionals: [{ level: '8', parent: '4' }, { level: '16', parent: '4' }] })
  })

  it('defaults to the smallest level as base, each next given the one below', () => {
    expect(formatTopology(defaultTopology(['16', '8', '4']))).toBe('4 > 8|4 > 16|8')
    expect(formatTopology(defaultTopology(['16', 'int8']))).toBe('int8 > 16|int8')
  })

  it.each([
    ['8|4 > 16|8', /must be a base level/],
    ['4 > 16|8', /parent 8 is not stored before 16/],
    ['4 > 8|4 > 8|4', /appears twice/],
    ['4 > > 8|4', /empty stage/],
    ['4 > 8', /child\|parent/],
    ['5 > 16|5', /not one of/],
  ])('refuses %s', (text, message) => {
    expect(() => parseTopology(text)).toThrow(message)
  })
})

describe('parseChainConfig', () => {
  it('fills every default and resolves paths against the config folder', () => {
    const config = parseChainConfig({ source: 'mistralai/Mistral-7B-Instruct-v0.2', levels: [16, 8, 4] }, '/configs/mistral')
    expect(config.name).toBe('Mistral-7B-Instruct-v0.2')
    expect(formatTopology(config.topology)).toBe('4 > 8|4 > 16|8')
    expect(config.levels.map((plan) => plan.level)).toEqual(['16', '8', '4'])
    expect(config.levels[2]?.quantize).toEqual({ method: 'gptq', groupSize: 128, sym: true, actOrder: false, staticGroups: false, damp: 0.01, blockSize: 128, format: 'gptq' })
    expect(config.calibration).toEqual({ source: 'default', samples: 128, seqLen: 512, seed: 0 })
    expect(config.output).toEqual({ dir: '/configs/mistral/outputs', checkpoints: false })
    expect(config.verify).toBe(true)
  })

  it('passes a worker count through, and leaves it unset by default (the cores available)', () => {
    expect(parseChainConfig({ source: 'm', levels: [16, 8], workers: 2 }, '/c').workers).toBe(2)
    expect(parseChainConfig({ source: 'm', levels: [16, 8] }, '/c').workers).toBeUndefined()
  })

  it('takes per-level checkpoints and overrides', () => {
    const config = parseChainConfig(
      {
        source: './model',
        levels: { '16': {}, '8': { from: '../gptq-8', format: 'gptq_v2' }, '4': { quantize: { groupSize: 64, sym: false } } },
        topology: '4 > 16|4 > 8|4',
        quantize: { damp: 0.1 },
        calibration: { source: 'calib.jsonl', samples: 8 },
      },
      '/work/c',
    )
    const plan = (level: string) => config.levels.find((candidate) => candidate.level === level)
    expect(plan('8')).toMatchObject({ from: '/work/gptq-8', format: 'gptq_v2' })
    expect(plan('4')?.quantize).toMatchObject({ groupSize: 64, sym: false, damp: 0.1 })
    expect(plan('16')?.quantize).toMatchObject({ groupSize: 128, sym: true, damp: 0.1 })
    expect(config.calibration.source).toBe('/work/c/calib.jsonl')
  })

  it.each([
    [{ levels: [16] }, 'source', /expected string/],
    [{ source: 'm', levels: [16, 5] }, 'levels.1', /./],
    [{ source: 'm', levels: { '16': {}, '5': {} } }, 'levels.5', /not one of/],
    [{ source: 'm', levels: [16, 8], quantize: { groupSize: 0 } }, 'quantize.groupSize', /group size/],
    [{ source: 'm', levels: [16, 8], quantize: { grupSize: 64 } }, undefined, /grupSize/],
    [{ source: 'm', levels: [16, 8], topology: '4 > 16|4' }, 'topology', /exactly the levels kept/],
    [{ source: 'm', levels: [16, 8], topology: '8 > 16|4' }, 'topology', /parent 4/],
    [{ source: 'm', levels: { '16': { from: 'x' } } }, 'levels.16.from', /source model/],
    [{ source: 'm', levels: [16, '16'] }, 'levels', /twice/],
    [{ source: 'm', levels: [16, 8], workers: 0 }, 'workers', />=1/],
  ])('names the field and file of a bad config (%#)', (json, field, message) => {
    let caught: unknown
    try {
      parseChainConfig(json, '/c', '/c/chain.config.json')
    } catch (error) {
      caught = error
    }
    expect(caught).toBeInstanceOf(ConfigError)
    const error = caught as ConfigError
    expect(error.context.file).toBe('/c/chain.config.json')
    if (field) expect(error.context.field).toBe(field)
    expect(error.message).toMatch(message)
  })
})

describe('chain.config.schema.json', () => {
  it('is the JSON Schema of the zod schema (run `npm run schema -w qchain` after changing it)', async () => {
    const committed = JSON.parse(await readFile(new URL('../chain.config.schema.json', import.meta.url), 'utf8'))
    expect(committed).toEqual(chainConfigJsonSchema())
  })
})
