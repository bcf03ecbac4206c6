// `rubric-workbench label PATH --from FILE.csv --annotator NAME` and `rubric-workbench labels
// PATH [--json]`: labels in and out of a run's workspace, for scripts and for merging another
// annotator's work. Each imported label is acknowledged (`saved <pair-id>`) only once it is on disk.
import { readFile } from 'node:fs/promises'
import { parse } from 'csv-parse/sync'
import { isLabelValue, labelValues } from '../shared/annotation'
import { Workbench } from '../core/workbench'
import { terminalProgress } from './terminal-progress'

type Print = (line: string) => void

interface RunOptions {
  workspace?: string
}

/** Opens the run and its workspace; on failure prints why and returns null. */
async function openWorkbench(path: string, options: RunOptions, err: Print): Promise<Workbench | null> {
  const progress = terminalProgress('indexing')
  const wb = new Workbench({
    transport: 'cli',
    ...(options.workspace !== undefined && { workspace: options.workspace }),
    emit: (event, payload) => {
      if (event === 'run.progress') progress.update(payload as Parameters<typeof progress.update>[0])
    },
  })
  try {
    const summary = await wb.open(path)
    if (summary.annotationsProblem !== null) {
      err(`rubric-workbench: ${summary.annotationsProblem}`)
      return null
    }
    return wb
  } catch (error) {
    err(`rubric-workbench: ${(error as Error).message}`)
    return null
  } finally {
    progress.done()
  }
}

/**
 * Returns the exit status: 0 when every row was saved, 1 when some rows were refused (each
 * named on stderr; the others are saved), 2 when nothing could be done.
 */
export async function labelCommand(
  path: string,
  options: RunOptions & { from: string; annotator: string },
  out: Print,
  err: Print
): Promise<number> {
  let text: string
  try {
    text = await readFile(options.from, 'utf8')
  } catch (error) {
    err(`rubric-workbench: cannot read ${options.from}: ${(error as Error).message}`)
    return 2
  }
  const wb = await openWorkbench(path, options, err)
  if (wb === null) return 2

  let refused = 0
  const refuse = (line: number, message: string): void => {
    refused++
    err(`${options.from}:${line}: ${message}`)
  }
  const rows = parse(text, {
    bom: true,
    info: true,
    relax_column_count: true,
    skip_empty_lines: true,
    trim: true,
    skip_records_with_error: true,
    on_skip: (error) => {
      refuse(Number(error?.lines ?? 0), `not a CSV row (${error?.message ?? 'unreadable'})`)
      return undefined
    },
  }) as unknown as { record: string[]; info: { lines: number } }[]

  for (const [n, { record, info }] of rows.entries()) {
    const [pairId = '', label = '', note = ''] = record
    if (n === 0 && pairId.toLowerCase() === 'pair_id') continue
    if (!isLabelValue(label)) {
      refuse(info.lines, `label ${JSON.stringify(label)} is not one of ${labelValues.join(', ')}`)
      continue
    }
    try {
      await wb.handlers['annotations.save']({
        pairId,
        label,
        annotator: options.annotator,
        note: note === '' ? null : note,
        blind: false,
        queue: null,
        ms: null,
      })
      out(`saved ${pairId}`)
    } catch (error) {
      refuse(info.lines, (error as Error).message)
    }
  }
  return refused > 0 ? 1 : 0
}

/** Every label in the run's workspace: a readable table, or one JSON array. */
export async function labelsCommand(
  path: string,
  options: RunOptions & { json?: boolean },
  out: Print,
  err: Print
): Promise<number> {
  const wb = await openWorkbench(path, options, err)
  if (wb === null) return 2
  const { items } = await wb.handlers['annotations.list']({ offset: 0, limit: Number.MAX_SAFE_INTEGER })
  if (options.json === true) {
    out(
      JSON.stringify(
        items.map((a) => ({ pair_id: a.pairId, label: a.label, annotator: a.annotator, time: a.time }))
      )
    )
    return 0
  }
  if (items.length === 0) {
    out('no labels in this workspace')
    return 0
  }
  for (const a of items)
    out(`${a.time}  ${a.annotator}  ${a.label.padEnd(8)}  ${a.pairId}${a.note ? `  ${a.note}` : ''}`)
  return 0
}
