// What can be exported, in which formats, and what an export reports back.

export const exportWhats = ['rubrics', 'pairs', 'labels', 'report'] as const
export type ExportWhat = (typeof exportWhats)[number]

export const rubricFormats = ['native', 'evolm', 'rar', 'prometheus', 'hf'] as const
export type RubricFormat = (typeof rubricFormats)[number]

export const exportFormats: Record<ExportWhat, readonly string[]> = {
  rubrics: rubricFormats,
  pairs: ['jsonl', 'parquet'],
  labels: ['jsonl', 'csv'],
  report: ['html'],
}

export interface ExportRequest {
  what: ExportWhat
  format: string
  /** A file, or a folder for the `hf` rubric format. */
  out: string
  /** Replace an existing output. */
  force: boolean
  /** A curated set's name; null for the whole run. */
  set: string | null
}

export interface ExportResult {
  what: ExportWhat
  format: string
  /** The absolute path written. */
  path: string
  /** Rubrics, pairs or labels written (for a report: the rubrics it covers). */
  rows: number
  /** Files written (a dataset folder has several). */
  files: string[]
  bytes: number
}
