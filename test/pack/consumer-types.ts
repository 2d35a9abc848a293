import { execFile } from 'node:child_process'
import { createRequire } from 'node:module'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { cleanEnv } from './npm.js'

const run = promisify(execFile)

/**
 * Type-checks a consumer file that re-exports every entry of the installed packages, with the
 * packages' declarations checked too (skipLibCheck off). Returns the compiler's errors in
 * @qchain declarations or in the consumer file; third-party declarations are not ours to fix
 * (tfjs's refer to @types/long and emscripten types it does not depend on).
 */
export async function consumerTypeErrors(projectDir: string, specifiers: readonly string[]): Promise<string[]> {
  const source = specifiers.map((specifier, i) => `export * as entry${i} from '${specifier}'\n`).join('')
  await writeFile(join(projectDir, 'consumer.ts'), source)
  const tsconfig = {
    compilerOptions: {
      module: 'NodeNext',
      moduleResolution: 'NodeNext',
      target: 'ES2022',
      // DOM for tfjs's declarations; node types for the /node entries (installed with the tarballs).
      lib: ['ES2022', 'DOM'],
      types: ['node'],
      strict: true,
      noEmit: true,
      skipLibCheck: false,
    },
    files: ['consumer.ts'],
  }
  await writeFile(join(projectDir, 'tsconfig.json'), JSON.stringify(tsconfig, null, 2))
  // The repository's compiler, run on the temporary project: it resolves modules from there.
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc')
  const output = await run(process.execPath, [tsc, '-p', 'tsconfig.json', '--pretty', 'false'], { cwd: projectDir, env: cleanEnv(), maxBuffer: 64 << 20 }).then(
    ({ stdout }) => stdout,
    (error: { stdout?: string }) => error.stdout ?? String(error),
  )
  return output
    .split('\n')
    .filter((line) => /error TS\d+/.test(line))
    .filter((line) => !line.startsWith('node_modules/') || line.startsWith('node_modules/@qchain/'))
}
