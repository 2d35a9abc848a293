// Regenerates chain.config.schema.json from the zod schema (a test fails when they drift).
import { writeFile } from 'node:fs/promises'
import { chainConfigJsonSchema } from '../src/config/schema.js'

const target = new URL('../chain.config.schema.json', import.meta.url)
await writeFile(target, `${JSON.stringify(chainConfigJsonSchema(), null, 2)}\n`)
console.log(`wrote ${target.pathname}`)
