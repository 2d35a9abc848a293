// The pool's worker when this package runs from its TypeScript sources (its own tests): Node 20
// workers do not inherit tsx's loader, so load the worker through tsx's API. Never built or shipped.
import { tsImport } from 'tsx/esm/api'

const worker = await tsImport('./codec-worker.ts', import.meta.url)
export default worker.default
