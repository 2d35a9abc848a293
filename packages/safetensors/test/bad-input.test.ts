import { describe, expect, it } from 'vitest'
import { bytesSource, openSafetensors, SafetensorsError, type SafetensorsProblem } from '../src/index.js'
import { buildFile, entry } from './build-file.js'

const FILE = 'bad.safetensors'

async function expectProblem(bytes: Uint8Array, problem: SafetensorsProblem, tensor?: string): Promise<void> {
  const error = await openSafetensors(bytesSource(bytes, FILE)).then(
    () => undefined,
    (caught: unknown) => caught,
  )
  expect(error).toBeInstanceOf(SafetensorsError)
  const typed = error as SafetensorsError
  expect(typed.problem).toBe(problem)
  expect(typed.context.file).toBe(FILE)
  expect(typed.message).toContain(FILE)
  if (tensor) expect(typed.context.tensor).toBe(tensor)
}

const header = (entries: Record<string, unknown>) => JSON.stringify(entries)

describe('openSafetensors refuses bad input with a typed error naming the file', () => {
  it('a file shorter than the length prefix', async () => {
    await expectProblem(new Uint8Array(5), 'truncated')
  })

  it('a header length beyond the file', async () => {
    await expectProblem(buildFile('{}', new Uint8Array(0), 1000n), 'header-beyond-file')
  })

  it('a header over 100 MiB, refused before allocating', async () => {
    await expectProblem(buildFile('{}', new Uint8Array(0), 200n * 1024n * 1024n), 'header-too-large')
    await expectProblem(buildFile('{}', new Uint8Array(0), 2n ** 63n), 'header-too-large')
  })

  it('invalid JSON', async () => {
    await expectProblem(buildFile('{"a": '), 'invalid-json')
  })

  it('JSON that is not an object', async () => {
    await expectProblem(buildFile('[1, 2]'), 'invalid-header')
  })

  it('invalid UTF-8', async () => {
    const bytes = buildFile('{"x":1}')
    bytes[10] = 0xff
    await expectProblem(bytes, 'invalid-utf8')
  })

  it('an entry with a malformed field', async () => {
    await expectProblem(buildFile(header({ w: { dtype: 'F16', shape: [-1], data_offsets: [0, 2] } })), 'invalid-header', 'w')
    await expectProblem(buildFile(header({ w: { dtype: 'F16', shape: [1] } })), 'invalid-header', 'w')
    await expectProblem(buildFile(header({ __metadata__: { format: 1 } })), 'invalid-header')
  })

  it('an unknown dtype', async () => {
    await expectProblem(buildFile(header({ w: entry('F12', [1], 0, 2) }), new Uint8Array(2)), 'unknown-dtype', 'w')
  })

  it('offsets past the end of the data', async () => {
    await expectProblem(buildFile(header({ w: entry('F32', [4], 0, 16) }), new Uint8Array(8)), 'offset-out-of-bounds', 'w')
  })

  it('overlapping tensors', async () => {
    const text = header({ a: entry('F32', [2], 0, 8), b: entry('F32', [2], 4, 12) })
    await expectProblem(buildFile(text, new Uint8Array(12)), 'overlap', 'b')
  })

  it('a hole between tensors', async () => {
    const text = header({ a: entry('F32', [1], 0, 4), b: entry('F32', [1], 8, 12) })
    await expectProblem(buildFile(text, new Uint8Array(12)), 'hole', 'b')
  })

  it('trailing bytes no tensor owns', async () => {
    await expectProblem(buildFile(header({ a: entry('U8', [4], 0, 4) }), new Uint8Array(6)), 'hole')
  })

  it('a byte length that does not match shape x dtype size', async () => {
    await expectProblem(buildFile(header({ a: entry('F32', [3], 0, 8) }), new Uint8Array(8)), 'size-mismatch', 'a')
    await expectProblem(buildFile(header({ a: entry('F32', [2 ** 40, 2 ** 40], 0, 8) }), new Uint8Array(8)), 'size-mismatch', 'a')
  })

  it('a read of a tensor that is not there', async () => {
    const file = await openSafetensors(bytesSource(buildFile(header({ a: entry('U8', [1], 0, 1) }), new Uint8Array(1)), FILE))
    await expect(file.read('b')).rejects.toMatchObject({ problem: 'unknown-tensor', context: { file: FILE, tensor: 'b' } })
  })
})

describe('openSafetensors accepts valid edge cases', () => {
  it('an empty file with only metadata, and zero-sized tensors', async () => {
    const text = header({ __metadata__: { format: 'pt' }, empty: entry('F16', [0, 4], 0, 0), one: entry('I8', [1], 0, 1) })
    const file = await openSafetensors(bytesSource(buildFile(text, new Uint8Array([7])), FILE))
    expect(file.header.metadata).toEqual({ format: 'pt' })
    expect([...file.tensors.keys()]).toEqual(['empty', 'one'])
    expect(Array.from(await file.read('one'))).toEqual([7])
    expect((await file.read('empty')).length).toBe(0)
  })
})
