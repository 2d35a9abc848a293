// Preloaded (node --import) into processes the kill tests SIGKILL. Every filesystem step a
// writer takes under QCHAIN_TEST_SLOW_FS_UNDER (open for writing, mkdir, copyFile, rename,
// rm, writeFile) is announced on stderr as "@fs <step> <path>" and then delayed by
// QCHAIN_TEST_SLOW_FS_MS, so the parent can kill the child between any two steps, not just
// where the scheduler happens to preempt it. Plain .mjs: it loads before any TS loader.
import fsp from 'node:fs/promises'
import { syncBuiltinESMExports } from 'node:module'
import { resolve, sep } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'

const delay = Number(process.env.QCHAIN_TEST_SLOW_FS_MS ?? 0)
const under = process.env.QCHAIN_TEST_SLOW_FS_UNDER
if (delay > 0 && under) {
  const watched = (path) => typeof path === 'string' && `${resolve(path)}${sep}`.startsWith(`${resolve(under)}${sep}`)
  const announce = async (step, path, to) => {
    process.stderr.write(`@fs ${step} ${path}${typeof to === 'string' ? ` -> ${to}` : ''}\n`)
    await sleep(delay)
  }
  const forWriting = (flags = 'r') => /[wax+]/.test(String(flags))
  const original = { ...fsp }
  const wrap = (name, writes = () => true) => {
    fsp[name] = async (path, ...rest) => {
      if (watched(path) && writes(rest)) await announce(name, path, rest[0])
      return original[name](path, ...rest)
    }
  }
  // A file opened for writing is announced twice: before, and once it exists (created or
  // truncated) but holds nothing yet, the moment a writer that is not atomic is exposed.
  fsp.open = async (path, flags, ...rest) => {
    if (!watched(path) || !forWriting(flags)) return original.open(path, flags, ...rest)
    await announce('open', path)
    const handle = await original.open(path, flags, ...rest)
    await announce('opened', path)
    return handle
  }
  fsp.writeFile = async (path, data, options) => {
    if (!watched(path)) return original.writeFile(path, data, options)
    const handle = await fsp.open(path, (typeof options === 'object' && options?.flag) || 'w')
    try {
      await handle.writeFile(data, options)
    } finally {
      await handle.close()
    }
  }
  wrap('mkdir')
  wrap('copyFile')
  wrap('rename')
  wrap('rm')
  // ESM named imports of node:fs/promises are live bindings: make them see the wrappers.
  syncBuiltinESMExports()
}
