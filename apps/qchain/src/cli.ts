import { isQchainError } from '@qchain/errors'
import { EXIT_CODES } from './exit-codes.js'
import type { CommandIO } from './io.js'
import { createLogger, LOG_LEVELS } from './logger.js'
import { createProgress } from './progress.js'
import { UsageError } from './usage-error.js'

/** What every module under commands/ exports. */
type CommandModule = { HELP: string; run: (args: string[], io: CommandIO) => Promise<void> }
/** A command's module is loaded only when it runs or shows its help: `qchain --help` loads none of them. */
type Command = { summary: string; load: () => Promise<CommandModule> }

const COMMANDS: Record<string, Command> = {
  chain: { summary: 'quantize, encode every level into one container, verify, and report what each level costs', load: () => import('./commands/chain.js') },
  inspect: { summary: 'list the tensors, dtypes, shapes and sizes of a safetensors file or model folder', load: () => import('./commands/inspect.js') },
  quantize: { summary: 'GPTQ, RTN or LLM.int8 quantization into checkpoint folders', load: () => import('./commands/quantize.js') },
  analyze: { summary: 'what each level costs under qchain coding, its entropy bound, and lz4/zstd baselines', load: () => import('./commands/analyze.js') },
  extract: { summary: 'rebuild one level of a container byte for byte into a folder', load: () => import('./commands/extract.js') },
  verify: { summary: 'check every checksum and rebuild every level of a container against its hashes', load: () => import('./commands/verify.js') },
  perplexity: { summary: 'mean NLL and perplexity of a 16-bit, GPTQ or LLM.int8 model', load: () => import('./commands/perplexity.js') },
  bench: { summary: 'encode/decode speed beside zstd, lz4, ZipNN and safetensors, against the targets', load: () => import('./commands/bench.js') },
}

const HELP = `qchain: several precisions of one model in one lossless container

Usage: qchain <command> [options]

Commands:
${Object.entries(COMMANDS)
  .map(([name, command]) => `  ${name.padEnd(12)}${command.summary}`)
  .join('\n')}

Global options:
  --help, -h             show help (also: qchain <command> --help)
  --log-level <level>    ${LOG_LEVELS.join('|')} (default: QCHAIN_LOG_LEVEL or warn)
  --verbose              print the stack of an error

Exit codes: ${Object.entries(EXIT_CODES)
  .map(([name, code]) => `${code} ${name}`)
  .join(', ')}`

/** Runs the CLI and returns the exit code; never throws. */
export async function main(argv: string[], print: (text: string) => void = (text) => process.stdout.write(`${text}\n`)): Promise<number> {
  const verbose = argv.includes('--verbose')
  try {
    const { globals, commandName, rest } = splitArgs(argv)
    const command = commandName === undefined ? undefined : COMMANDS[commandName]
    if (commandName === undefined || (globals.help && command === undefined)) {
      print(HELP)
      return commandName === undefined && !globals.help ? EXIT_CODES.usage : EXIT_CODES.ok
    }
    if (!command) throw new UsageError(`unknown command ${JSON.stringify(commandName)}; run qchain --help for the list`)
    const loaded = await command.load()
    if (globals.help) {
      print(loaded.HELP)
      return EXIT_CODES.ok
    }
    const logger = createLogger(globals.logLevel)
    logger.debug({ command: commandName, args: rest }, 'start')
    await loaded.run(rest, { print, logger, progress: createProgress() })
    return EXIT_CODES.ok
  } catch (error) {
    return report(error, verbose)
  }
}

function splitArgs(argv: string[]): { globals: { help: boolean; logLevel: string }; commandName: string | undefined; rest: string[] } {
  const rest: string[] = []
  let help = false
  let logLevel = process.env.QCHAIN_LOG_LEVEL ?? 'warn'
  let commandName: string | undefined
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string
    if (arg === '--help' || arg === '-h') help = true
    else if (arg === '--verbose') continue
    else if (arg === '--log-level') {
      const value = argv[++i]
      if (value === undefined) throw new UsageError('--log-level needs a value', 'log-level')
      logLevel = value
    } else if (commandName === undefined && !arg.startsWith('-')) commandName = arg
    else rest.push(arg)
  }
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    throw new UsageError(`log level ${JSON.stringify(logLevel)} is not one of ${LOG_LEVELS.join(', ')}`, 'log-level')
  }
  return { globals: { help, logLevel }, commandName, rest }
}

/** One line on stderr (the stack only with --verbose) and the exit code of the error's category. */
function report(error: unknown, verbose: boolean): number {
  const usage = error instanceof TypeError && (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')
  // Messages may quote input (a JSON parser's excerpt of a file): keep the report on one line.
  const message = (error instanceof Error ? error.message : String(error)).replace(/\s*[\r\n]+\s*/g, ' ').trim()
  process.stderr.write(`qchain: ${usage ? `${message} (see --help)` : message}\n`)
  if (verbose && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`)
  if (usage) return EXIT_CODES.usage
  if (isQchainError(error)) return EXIT_CODES[error.category]
  return EXIT_CODES[pathProblem(error) ?? 'internal']
}

/**
 * A filesystem error about a path the user gave (an output folder under a file, a file where
 * a folder must go) is the user's to fix, not a bug: not found (4) or bad input (3).
 */
function pathProblem(error: unknown): 'not-found' | 'input' | undefined {
  const code = (error as NodeJS.ErrnoException | undefined)?.code
  if (!(error instanceof Error) || typeof (error as NodeJS.ErrnoException).syscall !== 'string') return undefined
  if (code === 'ENOENT') return 'not-found'
  if (code === 'ENOTDIR' || code === 'EISDIR' || code === 'EEXIST') return 'input'
  return undefined
}
