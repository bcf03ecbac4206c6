// `rubric-workbench label PATH --from FILE [--annotator NAME]` and `rubric-workbench labels PATH
// [--json]`: labels in and out of a run's workspace, for scripts and for merging another
// annotator's work. Each imported label is acknowledged (`saved <pair-id>`) only once it is on disk.
import { readFile } from 'node:fs/promises'
import type { Annotation } from '../shared/annotation'
import { completeLabel, parseLabelFile } from '../core/export/label-files'
import { openWorkbench, type Print, type RunOptions } from './open-workbench'

/**
 * Returns the exit status: 0 when every row was saved, 1 when some rows were refused (each
 * named on stderr; the others are saved), 2 when nothing could be done. Rows keep what the file
 * says (annotator, time, blind, queue, criterion flags: a workbench export imports exactly);
 * `--annotator` names the annotator of rows that name none.
 */
export async function labelCommand(
  path: string,
  options: RunOptions & { from: string; annotator?: string },
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
  const lower = options.from.toLowerCase()
  const parsed = parseLabelFile(text, lower.endsWith('.jsonl') || lower.endsWith('.json') ? 'jsonl' : 'csv')
  const wb = await openWorkbench(path, options, err)
  if (wb === null) return 2

  let refused = 0
  const refuse = (line: number, message: string): void => {
    refused++
    err(`${options.from}:${line}: ${message}`)
  }
  for (const p of parsed.problems) refuse(p.line, p.message)
  const labels: Annotation[] = []
  const lines: number[] = []
  for (const { annotation, line } of parsed.rows) {
    const complete = completeLabel(annotation, {
      annotator: options.annotator ?? null,
      now: new Date().toISOString(),
    })
    if (typeof complete === 'string') refuse(line, complete)
    else {
      labels.push(complete)
      lines.push(line)
    }
  }
  try {
    await wb.importLabels(
      labels,
      (at) => out(`saved ${labels[at]?.pairId ?? ''}`),
      (at, message) => refuse(lines[at] ?? 0, message)
    )
  } catch (error) {
    err(`rubric-workbench: ${(error as Error).message}`)
    return 2
  } finally {
    await wb.close()
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
