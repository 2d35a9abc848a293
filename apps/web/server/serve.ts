import { basename, dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { startRangeServer } from './range-server.js'

// Usage: tsx server/serve.ts <container.qchain>. npm runs scripts inside apps/web, so a relative
// path is taken from where the user typed the command (INIT_CWD).
const [containerArg] = process.argv.slice(2)
if (!containerArg) {
  console.error('usage: npm run serve -w @qchain/web -- <container.qchain>')
  process.exit(2)
}
const container = resolve(process.env.INIT_CWD ?? process.cwd(), containerArg)
const urlPath = `/${encodeURIComponent(basename(container))}`
const dist = resolve(dirname(fileURLToPath(import.meta.url)), '../dist')
const server = await startRangeServer({
  root: dist,
  files: { [decodeURIComponent(urlPath)]: container },
  onServe: ({ path, start, end, status }) => console.log(`${status} ${path} bytes [${start}, ${end}) ${end - start} B`),
})
console.log(`serving ${dist} and ${container}`)
console.log(`open ${server.url}/?container=${urlPath}`)
