import './style.css'
import { openChain, type ChainSession } from './level-loader.js'
import { createView, type LevelRow, type View } from './view.js'

const view = createView(document.getElementById('app') as HTMLElement)
const url = new URLSearchParams(location.search).get('container')
if (url) void start(url)
else view.status('Give the container to open in the address: ?container=<URL of a .qchain file>', 'error', 'no-container')

/** Opens the container, loads the base level, then lets the user upgrade one level at a time. */
async function start(url: string): Promise<void> {
  view.status(`opening ${url} …`, 'opening')
  let session: ChainSession
  try {
    session = await openChain(url, (event) => view.totals(event.totalBytes, event.requests))
  } catch (error) {
    fail(view, error)
    return
  }
  view.container(url, session.network.size)
  view.totals(session.network.fetchedBytes, session.network.requests)
  const rows = new Map<string, LevelRow>(session.levels.map((summary) => [summary.name, { summary, state: 'waiting', loadable: false }]))
  let busy = false

  const render = () => {
    for (const row of rows.values()) {
      const parent = row.summary.parent === null ? undefined : rows.get(row.summary.parent)
      row.loadable = !busy && row.state !== 'verified' && (parent === undefined || parent.state === 'verified')
    }
    view.levels([...rows.values()], (level) => void load(level))
  }

  const load = async (level: string) => {
    const row = rows.get(level)
    if (busy || !row) return
    busy = true
    row.state = 'loading'
    render()
    view.status(`level ${level}: fetching its sections …`, 'loading')
    try {
      const result = await session.loadLevel(level, (file) => view.status(`level ${level}: rebuilding ${file} …`, 'loading'))
      row.load = result
      row.state = result.ok ? 'verified' : 'failed'
      const bad = result.files.filter((file) => !file.ok).map((file) => file.name)
      if (result.ok) view.status(`level ${level} ready: ${result.files.length} files rebuilt, every SHA-256 matches`, 'ready')
      else view.status(`level ${level}: SHA-256 mismatch in ${bad.join(', ')}`, 'error', 'mismatch')
    } catch (error) {
      row.state = 'failed'
      fail(view, error)
    } finally {
      busy = false
      render()
    }
  }

  render()
  const base = session.levels[0]
  if (base) await load(base.name)
}

function fail(view: View, error: unknown): void {
  const problem = (error as { problem?: unknown }).problem
  const name = error instanceof Error ? error.name : 'Error'
  const message = error instanceof Error ? error.message : String(error)
  view.status(`${name}: ${message}`, 'error', typeof problem === 'string' ? problem : name)
  console.error(error)
}
