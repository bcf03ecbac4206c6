// `rubric-workbench label PATH --from FILE.csv --annotator NAME` and `rubric-workbench labels
// PATH [--json]`: labels in and out of a run's workspace, for scripts and for merging another
// annotator's work. Each imported label is acknowledged (`saved <pair-id>`) only once it is on disk.
import { readFile } from 'node:fs/promises'
import { parse } from 'csv-parse/sync'
import { isLabelValue, labelValues } from '../shared/annotation'
import { openWorkbench, type Print, type RunOptions } from './open-workbench'

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
  const lower = options.from.toLowerCase()
  const rows =
    lower.endsWith('.jsonl') || lower.endsWith('.json') ? jsonlRows(text, refuse) : csvRows(text, refuse)

  for (const { pairId, label, note, line } of rows) {
    if (!isLabelValue(label)) {
      refuse(line, `label ${JSON.stringify(label)} is not one of ${labelValues.join(', ')}`)
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
        criterionFlags: {},
      })
      out(`saved ${pairId}`)
    } catch (error) {
      refuse(line, (error as Error).message)
    }
  }
  return refused > 0 ? 1 : 0
}

interface Row {
  pairId: string
  label: string
  note: string
  line: number
}

/** CSV rows `pair_id,label[,note]`, with an optional header row. */
function csvRows(text: string, refuse: (line: number, message: string) => void): Row[] {
  const records = parse(text, {
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
  return records.flatMap(({ record, info }, n) => {
    const [pairId = '', label = '', note = ''] = record
    return n === 0 && pairId.toLowerCase() === 'pair_id' ? [] : [{ pairId, label, note, line: info.lines }]
  })
}

/**
 * JSONL rows `{"pair_id", "label", "note"?}`, one object a line; or one JSON array of them (what
 * `labels --json` prints), each object counting as its own line.
 */
function jsonlRows(text: string, refuse: (line: number, message: string) => void): Row[] {
  const rows: Row[] = []
  const body = text.replace(/^\uFEFF/, '')
  let lines = body.split(/\r?\n/)
  if (body.trimStart().startsWith('[')) {
    try {
      lines = (JSON.parse(body) as unknown[]).map((row) => JSON.stringify(row))
    } catch (error) {
      refuse(1, `not a JSON array (${(error as Error).message})`)
      return []
    }
  }
  lines.forEach((raw, i) => {
    if (raw.trim() === '') return
    let value: unknown
    try {
      value = JSON.parse(raw)
    } catch (error) {
      refuse(i + 1, `not a JSON object (${(error as Error).message})`)
      return
    }
    const row = value as { pair_id?: unknown; label?: unknown; note?: unknown } | null
    if (row === null || typeof row !== 'object' || typeof row.pair_id !== 'string') {
      refuse(i + 1, 'expected an object with a string "pair_id"')
      return
    }
    rows.push({
      pairId: row.pair_id,
      label: typeof row.label === 'string' ? row.label : String(row.label),
      note: typeof row.note === 'string' ? row.note : '',
      line: i + 1,
    })
  })
  return rows
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
