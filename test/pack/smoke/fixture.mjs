// The real-weight fixture folder (babyllama-105-fp16), passed by the test as an absolute path;
// undefined when the test found no fixtures, so scripts skip that part and say so.
import { existsSync } from 'node:fs'

export function fixtureDir(script) {
  const dir = process.env.QCHAIN_SMOKE_FIXTURE_DIR
  if (dir && existsSync(dir)) return dir
  console.log(`${script}: fixture part skipped (QCHAIN_SMOKE_FIXTURE_DIR not set or missing)`)
  return undefined
}
