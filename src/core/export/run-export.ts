// An export of the open run, as the CLI's `export` and the app ask for it: gathers what the
// chosen output needs (rubrics with their analyses, verified pairs, labels, the analyses'
// summary), renders the format, checks the output path and writes atomically.
import { analyzeCriteria } from '../../shared/criterion-analysis'
import type { Annotation } from '../../shared/annotation'
import type { AnalysisSummary, RubricAnalysis } from '../../shared/analysis'
import type { CuratedRubric, CuratedSet } from '../../shared/curated-set'
import type { Criterion } from '../../shared/domain'
import { exportFormats, type ExportRequest, type ExportResult, type RubricFormat } from '../../shared/export'
import { humanMajority } from '../../shared/utility'
import type { RunIndex } from '../run/run-index'
import { rubricSummary } from '../run/run-views'
import { parseRubric } from '../../shared/rubric-format'
import type { TextStore } from '../run/text-store'
import { criterionFlagCounts, pairRubricIds } from '../audit/criterion-flags'
import { labelsToCsv, labelsToJsonl } from './label-files'
import { checkOutput, OutputRefused, writeFileAtomic, writeFolderAtomic } from './output-path'
import { PAIR_TYPES, toJsonl, toParquet, verifiedPairs } from './pair-export'
import { reportHtml } from './report'
import { rubricFiles, type ExportFile, type RubricSource } from './rubric-export'

export interface ExportSources {
  /** The curated set the request names, looked up by the caller; null for the whole run. */
  set: CuratedSet | null
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
      const labels = await setLabels(src)
      files = [{ path: '', data: request.format === 'csv' ? labelsToCsv(labels) : labelsToJsonl(labels) }]
      rows = labels.length
      break
    }
    case 'pairs': {
      const pairs = await verifiedPairs(src.index, src.store, await setLabels(src))
      files = [
        { path: '', data: request.format === 'parquet' ? toParquet(pairs, PAIR_TYPES) : toJsonl(pairs) },
      ]
      rows = pairs.length
      break
    }
    case 'rubrics': {
      const rubrics = await rubricSources(src)
      files = rubricFiles(rubrics, request.format as RubricFormat, {
        name: src.set === null ? `${src.runName} rubrics` : src.set.name,
        run: src.runName,
        curation:
          src.set === null
            ? `Every rubric of the run (${rubrics.length}), as read from its files; no criterion was edited.`
            : describeSet(src.set),
      })
      rows = rubrics.length
      break
    }
    case 'report': {
      const labels = await setLabels(src)
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
              rubrics: src.set?.rubrics.length ?? src.index.rubrics.length,
              verifiedPairs: pairs.length,
              overturned: pairs.filter((p) => p.overturned).length,
              labels: labels.length,
              set: src.set?.name ?? null,
            },
          }),
        },
      ]
      rows = src.set?.rubrics.length ?? src.index.rubrics.length
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
  const flags = criterionFlagCounts(labels, pairRubricIds(index))
  const out: RubricSource[] = []
  const chosen = src.set?.rubrics ?? null
  const order =
    chosen === null
      ? Array.from({ length: index.rubrics.length }, (_, r) => r)
      : chosen.map((c) => index.rubricIndex(c.rubricId) ?? -1)
  // Every rubric's text in one pass over the run's files, not a file opened per rubric.
  const known = order.filter((r) => r >= 0)
  const texts = new Map<number, string>()
  await store.forEachText(
    known.map((r) => index.rubrics.field('text', r)),
    (k, raw) => texts.set(known[k] as number, raw)
  )
  for (const [at, r] of order.entries()) {
    const rec = index.rubrics.get(r)
    if (rec === undefined) continue
    const curated = chosen?.[at] ?? null
    const raw = texts.get(r) ?? ''
    const prompt = index.prompts[rec.prompt]
    const criteria = raw.startsWith('ERROR:') ? [] : (parseRubric(raw).criteria ?? [])
    const analyses = analyzeCriteria(criteria, prompt?.reference ?? null)
    const figures = await src.rubricFigures(rec.id)
    const kept = criteria
      .map((c, k) => ({ c, k }))
      .filter(({ k }) => curated === null || !curated.excluded.includes(k))
    out.push({
      id: rec.id,
      promptId: prompt?.id ?? '',
      prompt: prompt?.text ?? '',
      taskType: prompt?.taskType ?? null,
      reference: prompt?.reference ?? null,
      generatorStep: rec.step,
      source: rubricSummary(index, rec).source,
      formatValid: rec.formatValid,
      criteria: kept.map(({ c, k }) => edited(c, k, analyses[k] as (typeof analyses)[number], curated)),
      // Figures follow the criteria kept: position k in the run's rubric.
      figures: {
        ...figures,
        criteria: figures.criteria.filter((f) => kept.some(({ k }) => k === f.criterion)),
      },
      flags: flags.get(rec.id) ?? {},
      positions: kept.map(({ k }) => k),
    })
  }
  return out
}

/** A criterion with a set's edits applied: the last edit of each field wins, the file's values kept as the original. */
function edited(
  c: Criterion,
  k: number,
  analysis: RubricSource['criteria'][number]['analysis'],
  curated: CuratedRubric | null
): RubricSource['criteria'][number] {
  const edits = curated?.edits.filter((e) => e.criterion === k) ?? []
  if (edits.length === 0) return { ...c, analysis, original: null }
  let { text, weight } = c
  for (const e of edits) {
    if (e.field === 'text' && typeof e.to === 'string') text = e.to
    if (e.field === 'weight') weight = typeof e.to === 'number' ? e.to : null
  }
  return { ...c, text, weight, analysis, original: { text: c.text, weight: c.weight } }
}

/** Labels of pairs judged under the set's rubrics (all of them without a set). */
async function setLabels(src: ExportSources): Promise<Annotation[]> {
  const labels = await src.labels()
  if (src.set === null) return labels
  const rubrics = new Set(src.set.rubrics.map((r) => r.rubricId))
  const rubricOf = pairRubricIds(src.index)
  return labels.filter((a) => rubrics.has(rubricOf.get(a.pairId) ?? ''))
}

/** How a set was curated, in words, for the dataset card and the report. */
export function describeSet(set: CuratedSet): string {
  const f = set.filters
  const rules = [
    f.judge === null ? null : `figures of the judge \`${f.judge}\``,
    f.minAccuracy === null
      ? null
      : `newer scored above older in at least ${(f.minAccuracy * 100).toFixed(0)}% of pairs`,
    f.minHumanAccuracy === null
      ? null
      : `agreement with people of at least ${(f.minHumanAccuracy * 100).toFixed(0)}%`,
    f.formatValid === null
      ? null
      : f.formatValid
        ? 'rubrics that pass the EvoLM format rule'
        : 'rubrics that fail the format rule',
    f.taskType === null ? null : `task type ${f.taskType}`,
    f.step === null ? null : `generator step ${f.step}`,
    f.dropFlag === null ? null : `criteria annotators flagged "${f.dropFlag}" left out`,
    f.dropMarks.length === 0 ? null : `criteria marked ${f.dropMarks.join(' or ')} by the ablation left out`,
  ].filter((r): r is string => r !== null)
  const edits = set.rubrics.reduce((n, r) => n + r.edits.length, 0)
  const excluded = set.rubrics.reduce((n, r) => n + r.excluded.length, 0)
  return [
    `The set **${set.name}** holds ${set.rubrics.length} rubrics, picked by ${rules.length === 0 ? 'no filter (every rubric)' : rules.join('; ')}.`,
    `${set.added.length} rubrics were added and ${set.removed.length} removed by hand; ${excluded} criteria are left out and ${edits} edits were made to a criterion's text or weight (each record keeps the original as \`edited_from\`).`,
    `Saved ${set.updated}.`,
  ].join(' ')
}
