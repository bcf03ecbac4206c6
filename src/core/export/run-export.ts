// An export of the open run, as the CLI's `export` and the app ask for it: gathers what the
// chosen output needs (rubrics with their analyses, verified pairs, labels, the analyses'
// summary), renders the format, checks the output path and writes atomically.
import { analyzeCriteria } from '../../shared/criterion-analysis'
import type { Annotation, CriterionFlagCounts } from '../../shared/annotation'
import type { AnalysisSummary, RubricAnalysis } from '../../shared/analysis'
import { exportFormats, type ExportRequest, type ExportResult } from '../../shared/export'
import { humanMajority } from '../../shared/utility'
import type { RunIndex } from '../run/run-index'
import { rubricDetail } from '../run/run-views'
import type { TextStore } from '../run/text-store'
import { labelsToCsv, labelsToJsonl } from './label-files'
import { checkOutput, OutputRefused, writeFileAtomic, writeFolderAtomic } from './output-path'
import { PAIR_TYPES, toJsonl, toParquet, verifiedPairs } from './pair-export'
import { reportHtml } from './report'
import { rubricFiles, type ExportFile, type RubricFormat, type RubricSource } from './rubric-export'

export interface ExportSources {
  index: RunIndex
  store: TextStore
  runName: string
  labels: () => Promise<Annotation[]>
  summary: () => Promise<AnalysisSummary>
  rubricFigures: (rubricId: string) => Promise<RubricAnalysis>
}

export async function runExport(src: ExportSources, request: ExportRequest): Promise<ExportResult> {
  const formats = exportFormats[request.what]
  if (!formats.includes(request.format))
    throw new OutputRefused(
      `--format ${request.format} is not a format for ${request.what}; use one of ${formats.join(', ')}`
    )
  const folder = request.what === 'rubrics' && request.format === 'hf'
  const path = await checkOutput(request.out, src.index.location, {
    kind: folder ? 'folder' : 'file',
    force: request.force,
  })
  let files: ExportFile[]
  let rows: number
  switch (request.what) {
    case 'labels': {
      const labels = await src.labels()
      files = [{ path: '', data: request.format === 'csv' ? labelsToCsv(labels) : labelsToJsonl(labels) }]
      rows = labels.length
      break
    }
    case 'pairs': {
      const pairs = await verifiedPairs(src.index, src.store, await src.labels())
      files = [
        { path: '', data: request.format === 'parquet' ? toParquet(pairs, PAIR_TYPES) : toJsonl(pairs) },
      ]
      rows = pairs.length
      break
    }
    case 'rubrics': {
      const rubrics = await rubricSources(src)
      files = rubricFiles(rubrics, request.format as RubricFormat, {
        name: `${src.runName} rubrics`,
        run: src.runName,
        curation: `Every rubric of the run (${rubrics.length}), as read from its files; no criterion was edited.`,
      })
      rows = rubrics.length
      break
    }
    case 'report': {
      const labels = await src.labels()
      const pairs = await verifiedPairs(src.index, src.store, labels)
      const byPair = new Map<string, string[]>()
      for (const a of labels) byPair.set(a.pairId, [...(byPair.get(a.pairId) ?? []), a.label])
      const people = { newer: 0, older: 0, tie: 0 }
      for (const list of byPair.values()) {
        const m = humanMajority(list)
        if (m !== null) people[m]++
      }
      files = [
        {
          path: '',
          data: reportHtml({
            run: src.runName,
            generated: new Date().toISOString(),
            summary: await src.summary(),
            people,
            covers: {
              rubrics: src.index.rubrics.length,
              verifiedPairs: pairs.length,
              overturned: pairs.filter((p) => p.overturned).length,
              labels: labels.length,
              set: null,
            },
          }),
        },
      ]
      rows = src.index.rubrics.length
      break
    }
  }
  if (folder) await writeFolderAtomic(path, files)
  else await writeFileAtomic(path, (files[0] as ExportFile).data)
  const size = (d: string | Uint8Array): number =>
    typeof d === 'string' ? Buffer.byteLength(d) : d.byteLength
  return {
    what: request.what,
    format: request.format,
    path,
    rows,
    files: folder ? files.map((f) => f.path) : [path],
    bytes: files.reduce((s, f) => s + size(f.data), 0),
  }
}

/** Every rubric of the run with its checklist, prompt, provenance, analyses and annotators' flags. */
async function rubricSources(src: ExportSources): Promise<RubricSource[]> {
  const { index, store } = src
  const labels = await src.labels()
  // Annotators' criterion flags, per rubric through the pairs it judged.
  const flags = new Map<string, CriterionFlagCounts>()
  const rubricOfPair = new Map<string, string>()
  for (let i = 0; i < index.pairs.length; i++) {
    const r = index.pairs.num('rubric', i)
    if (r >= 0) rubricOfPair.set(index.pairs.field('id', i), index.rubrics.field('id', r))
  }
  for (const a of labels) {
    const rubricId = rubricOfPair.get(a.pairId)
    if (rubricId === undefined) continue
    const counts = flags.get(rubricId) ?? {}
    for (const [criterion, flag] of Object.entries(a.criterionFlags)) {
      const byFlag = (counts[criterion] ??= {})
      byFlag[flag] = (byFlag[flag] ?? 0) + 1
    }
    flags.set(rubricId, counts)
  }
  const out: RubricSource[] = []
  for (let r = 0; r < index.rubrics.length; r++) {
    const rec = index.rubrics.get(r)
    if (rec === undefined) continue
    const rubric = await rubricDetail(index, store, rec)
    const prompt = index.prompts[rec.prompt]
    const criteria = rubric.criteriaList ?? []
    const analyses = analyzeCriteria(criteria, prompt?.reference ?? null)
    out.push({
      id: rec.id,
      promptId: prompt?.id ?? '',
      prompt: prompt?.text ?? '',
      taskType: prompt?.taskType ?? null,
      reference: prompt?.reference ?? null,
      generatorStep: rec.step,
      source: rubric.source,
      formatValid: rec.formatValid,
      criteria: criteria.map((c, k) => ({
        ...c,
        analysis: analyses[k] as (typeof analyses)[number],
        original: null,
      })),
      figures: await src.rubricFigures(rec.id),
      flags: flags.get(rec.id) ?? {},
    })
  }
  return out
}
