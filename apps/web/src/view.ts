import type { LevelLoad, LevelSummary } from './level-loader.js'

export type LevelState = 'waiting' | 'loading' | 'verified' | 'failed'

export interface LevelRow {
  summary: LevelSummary
  state: LevelState
  load?: LevelLoad
  /** Whether its button may be pressed now (parent loaded, nothing else loading). */
  loadable: boolean
}

export interface View {
  /** `problem` names a typed error's kind (e.g. http-status, section-checksum). */
  status(text: string, state: 'opening' | 'ready' | 'loading' | 'error', problem?: string): void
  container(url: string, size: number): void
  totals(fetchedBytes: number, requests: number): void
  levels(rows: readonly LevelRow[], onLoad: (level: string) => void): void
}

/** Renders into `root`; every number the page shows is also in a data- attribute for tests. */
export function createView(root: HTMLElement): View {
  const status = el('p', { id: 'status' })
  const source = el('p', { class: 'source' })
  const totals = el('p', { id: 'totals' })
  const levels = el('table', { id: 'levels' })
  const files = el('table', { id: 'files' })
  let containerSize = 0
  root.replaceChildren(
    el('h1', {}, 'qchain ', el('span', { class: 'dim' }, 'progressive loading')),
    source,
    status,
    totals,
    el('h2', {}, 'Levels'),
    levels,
    el('p', { class: 'note' }, 'Each level is rebuilt from its own sections and those of its ancestors, which an upgrade does not download again. “Fetched so far” counts every container byte downloaded by the time the level was ready (index included), against downloading that level’s checkpoint files on their own.'),
    el('h2', {}, 'Rebuilt files, checked against the container’s SHA-256'),
    files,
  )
  return {
    status(text, state, problem) {
      status.textContent = text
      status.dataset.state = state
      if (problem === undefined) delete status.dataset.problem
      else status.dataset.problem = problem
    },
    container(url, size) {
      containerSize = size
      source.replaceChildren('container ', el('code', {}, url), ` · ${bytes(size)}`)
    },
    totals(fetchedBytes, requests) {
      totals.dataset.fetched = String(fetchedBytes)
      totals.dataset.requests = String(requests)
      const share = containerSize ? ` (${percent(fetchedBytes / containerSize)} of the container)` : ''
      totals.replaceChildren('fetched so far: ', el('strong', {}, bytes(fetchedBytes)), `${share} in ${requests} range requests`)
    },
    levels(rows, onLoad) {
      levels.replaceChildren(
        el('tr', {}, ...['level', 'stored as', 'standalone files', 'own sections', 'fetched for this step', 'fetched so far', 'time', 'status', ''].map((name) => el('th', {}, name))),
        ...rows.map((row) => levelRow(row, onLoad)),
      )
      files.replaceChildren(
        el('tr', {}, ...['level', 'file', 'size', 'SHA-256 (rebuilt)', 'check'].map((name) => el('th', {}, name))),
        ...rows.flatMap((row) => (row.load ? row.load.files.map((file) => fileRow(row.summary.name, file)) : [])),
      )
    },
  }
}

function levelRow({ summary, state, load, loadable }: LevelRow, onLoad: (level: string) => void): HTMLElement {
  const fetched = load?.fetchedBytes ?? 0
  const total = load?.totalFetchedBytes ?? 0
  const button = el('button', { 'data-load': summary.name }, state === 'verified' ? 'loaded' : summary.parent === null ? 'load base' : `upgrade to ${summary.name}`) as HTMLButtonElement
  button.disabled = !loadable
  button.addEventListener('click', () => onLoad(summary.name))
  const bar = el('div', { class: 'bar' }, el('div', { class: 'fill', style: `width: ${Math.min(100, (100 * total) / Math.max(1, summary.standaloneBytes)).toFixed(1)}%` }))
  return el(
    'tr',
    { 'data-level': summary.name, 'data-state': state, 'data-fetched': String(fetched), 'data-total-fetched': String(total), 'data-standalone': String(summary.standaloneBytes) },
    el('td', { class: 'level' }, `${summary.name}-bit`),
    el('td', {}, summary.parent === null ? 'base, alone' : `${summary.name}|${summary.parent}, given ${summary.parent}`),
    el('td', { class: 'num' }, bytes(summary.standaloneBytes)),
    el('td', { class: 'num' }, bytes(summary.ownBytes)),
    el('td', { class: 'num' }, load ? bytes(fetched) : '–'),
    el('td', { class: 'num' }, load ? el('span', {}, `${bytes(total)} · ${percent(total / Math.max(1, summary.standaloneBytes))} of standalone`, bar) : '–'),
    el('td', { class: 'num' }, load ? `${(load.millis / 1000).toFixed(2)} s` : '–'),
    el('td', { class: `state ${state}` }, state === 'verified' ? '✓ verified' : state === 'failed' ? '✗ mismatch' : state),
    el('td', {}, button),
  )
}

function fileRow(level: string, file: LevelLoad['files'][number]): HTMLElement {
  return el(
    'tr',
    { 'data-level': level, 'data-file': file.name, 'data-sha256': file.actual, 'data-ok': String(file.ok) },
    el('td', {}, `${level}-bit`),
    el('td', {}, el('code', {}, file.name)),
    el('td', { class: 'num' }, bytes(file.size)),
    el('td', { title: file.actual }, el('code', {}, `${file.actual.slice(0, 16)}…`)),
    el('td', { class: file.ok ? 'state verified' : 'state failed' }, file.ok ? '✓ matches' : `✗ expected ${file.expected.slice(0, 16)}…`),
  )
}

function el(tag: string, attributes: Record<string, string>, ...children: (Node | string)[]): HTMLElement {
  const node = document.createElement(tag)
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value)
  node.append(...children)
  return node
}

function bytes(count: number): string {
  if (count < 1024) return `${count} B`
  if (count < 1024 * 1024) return `${(count / 1024).toFixed(1)} KiB`
  return `${(count / 1024 / 1024).toFixed(2)} MiB`
}

function percent(ratio: number): string {
  return `${(100 * ratio).toFixed(ratio < 0.1 ? 1 : 0)}%`
}
