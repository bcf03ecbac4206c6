// Audit labels as files: JSONL (one object a line) and CSV (a header row, criterion flags as a
// JSON object in one cell), with every field of an annotation, so that exporting, importing
// into another workspace and exporting again gives the same bytes. The `label` command also
// reads the short forms (pair_id,label[,note]) for one annotator.
import { parse } from 'csv-parse/sync'
import { stringify } from 'csv-stringify/sync'
import {
  annotatorProblem,
  criterionFlags,
  isLabelValue,
  labelValues,
  type Annotation,
  type CriterionFlag,
} from '../../shared/annotation'

export const LABEL_COLUMNS = [
  'pair_id',
  'label',
  'annotator',
  'time',
  'note',
  'blind',
  'queue',
  'ms',
  'criterion_flags',
] as const

/** Labels in a stable order: by annotator, then pair. */
function ordered(labels: readonly Annotation[]): Annotation[] {
  return [...labels].sort((a, b) =>
    a.annotator < b.annotator
      ? -1
      : a.annotator > b.annotator
        ? 1
        : a.pairId < b.pairId
          ? -1
          : a.pairId > b.pairId
            ? 1
            : 0
  )
}

function record(a: Annotation): Record<(typeof LABEL_COLUMNS)[number], unknown> {
  return {
    pair_id: a.pairId,
    label: a.label,
    annotator: a.annotator,
    time: a.time,
    note: a.note,
    blind: a.blind,
    queue: a.queue,
    ms: a.ms,
    // Keys in criterion order, so the same flags always print the same.
    criterion_flags: Object.fromEntries(
      Object.entries(a.criterionFlags).sort(([x], [y]) => Number(x) - Number(y))
    ),
  }
}

export function labelsToJsonl(labels: readonly Annotation[]): string {
  return ordered(labels)
    .map((a) => JSON.stringify(record(a)))
    .map((line) => `${line}\n`)
    .join('')
}

export function labelsToCsv(labels: readonly Annotation[]): string {
  const rows = ordered(labels).map((a) => {
    const r = record(a)
    return [
      r.pair_id,
      r.label,
      r.annotator,
      r.time,
      a.note ?? '',
      a.blind ? 'true' : 'false',
      a.queue ?? '',
      a.ms === null ? '' : String(a.ms),
      JSON.stringify(r.criterion_flags),
    ]
  })
  return stringify([[...LABEL_COLUMNS], ...rows])
}

export interface LabelRow {
  annotation: Omit<Partial<Annotation>, 'label'> & { pairId: string; label: string }
  line: number
}

export interface ParsedLabels {
  rows: LabelRow[]
  problems: { line: number; message: string }[]
}

/** Reads a labels file: JSONL or a JSON array, or CSV (full columns, or pair_id,label[,note]). */
export function parseLabelFile(text: string, format: 'jsonl' | 'csv'): ParsedLabels {
  return format === 'csv' ? parseCsv(text) : parseJsonl(text)
}

function parseJsonl(text: string): ParsedLabels {
  const out: ParsedLabels = { rows: [], problems: [] }
  const body = text.replace(/^\uFEFF/, '')
  let lines = body.split(/\r?\n/)
  if (body.trimStart().startsWith('[')) {
    try {
      lines = (JSON.parse(body) as unknown[]).map((row) => JSON.stringify(row))
    } catch (error) {
      out.problems.push({ line: 1, message: `not a JSON array (${(error as Error).message})` })
      return out
    }
  }
  lines.forEach((raw, i) => {
    if (raw.trim() === '') return
    let value: unknown
    try {
      value = JSON.parse(raw)
    } catch (error) {
      out.problems.push({ line: i + 1, message: `not a JSON object (${(error as Error).message})` })
      return
    }
    const row = value as Record<string, unknown> | null
    if (row === null || typeof row !== 'object' || typeof row['pair_id'] !== 'string') {
      out.problems.push({ line: i + 1, message: 'expected an object with a string "pair_id"' })
      return
    }
    out.rows.push({ annotation: fromRecord(row), line: i + 1 })
  })
  return out
}

function parseCsv(text: string): ParsedLabels {
  const out: ParsedLabels = { rows: [], problems: [] }
  const records = parse(text, {
    bom: true,
    info: true,
    relax_column_count: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
    on_skip: (error) => {
      out.problems.push({
        line: Number(error?.lines ?? 0),
        message: `not a CSV row (${error?.message ?? 'unreadable'})`,
      })
      return undefined
    },
  }) as unknown as { record: string[]; info: { lines: number } }[]
  const first = records[0]?.record.map((c) => c.trim().toLowerCase()) ?? []
  const header = first[0] === 'pair_id' ? first : null
  const columns = header ?? ['pair_id', 'label', 'note']
  records.forEach(({ record, info }, n) => {
    if (n === 0 && header !== null) return
    const row: Record<string, unknown> = {}
    columns.forEach((c, i) => {
      const cell = record[i]
      if (cell !== undefined) row[c] = header === null ? cell.trim() : cell
    })
    // CSV cells are text: the typed columns are read back to what the export wrote.
    const parsed: Record<string, unknown> = { ...row }
    for (const key of ['note', 'queue']) if (row[key] === '') parsed[key] = null
    if (typeof row['blind'] === 'string') parsed['blind'] = row['blind'] === 'true'
    if (typeof row['ms'] === 'string') parsed['ms'] = row['ms'] === '' ? null : Number(row['ms'])
    if (typeof row['criterion_flags'] === 'string') {
      try {
        parsed['criterion_flags'] = row['criterion_flags'] === '' ? {} : JSON.parse(row['criterion_flags'])
      } catch {
        out.problems.push({ line: info.lines, message: 'criterion_flags is not a JSON object' })
        return
      }
    }
    if (typeof parsed['pair_id'] !== 'string' || parsed['pair_id'] === '') {
      out.problems.push({ line: info.lines, message: 'no pair_id' })
      return
    }
    out.rows.push({ annotation: fromRecord(parsed), line: info.lines })
  })
  return out
}

function fromRecord(row: Record<string, unknown>): LabelRow['annotation'] {
  const a: LabelRow['annotation'] = {
    pairId: row['pair_id'] as string,
    label: typeof row['label'] === 'string' ? row['label'] : String(row['label']),
  }
  if (typeof row['annotator'] === 'string' && row['annotator'] !== '') a.annotator = row['annotator']
  if (typeof row['time'] === 'string' && row['time'] !== '') a.time = row['time']
  if ('note' in row) a.note = typeof row['note'] === 'string' && row['note'] !== '' ? row['note'] : null
  if (typeof row['blind'] === 'boolean') a.blind = row['blind']
  if ('queue' in row) a.queue = typeof row['queue'] === 'string' && row['queue'] !== '' ? row['queue'] : null
  if ('ms' in row) a.ms = typeof row['ms'] === 'number' && Number.isFinite(row['ms']) ? row['ms'] : null
  const flags = row['criterion_flags']
  if (flags !== null && typeof flags === 'object') a.criterionFlags = flags as Record<string, CriterionFlag>
  return a
}

/**
 * A parsed row as an annotation to save, or why it cannot be: `annotator` fills rows that name
 * none; fields a short file lacks take the defaults of a label made now, not blind.
 */
export function completeLabel(
  row: LabelRow['annotation'],
  defaults: { annotator: string | null; now: string }
): Annotation | string {
  const { label } = row
  if (!isLabelValue(label)) return `label ${JSON.stringify(label)} is not one of ${labelValues.join(', ')}`
  const annotator = row.annotator ?? defaults.annotator
  if (annotator === null) return 'the row names no annotator (give --annotator)'
  const problem = annotatorProblem(annotator)
  if (problem !== null) return problem
  const flags = row.criterionFlags ?? {}
  for (const [key, flag] of Object.entries(flags)) {
    if (!/^\d+$/.test(key)) return `criterion flag key ${JSON.stringify(key)} is not a criterion position`
    if (!(criterionFlags as readonly string[]).includes(flag))
      return `criterion flag ${JSON.stringify(flag)} is not one of ${criterionFlags.join(', ')}`
  }
  if (row.time !== undefined && Number.isNaN(Date.parse(row.time)))
    return `time ${JSON.stringify(row.time)} is not a date`
  return {
    pairId: row.pairId,
    label,
    annotator,
    time: row.time ?? defaults.now,
    note: row.note ?? null,
    blind: row.blind ?? false,
    queue: row.queue ?? null,
    ms: row.ms ?? null,
    criterionFlags: flags,
  }
}
