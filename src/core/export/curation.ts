// Curated rubric sets: which rubrics the filters let through (with the criteria they drop), sets
// saved by name in the workspace (one durable document each, in `curation/`), and a set applied
// to the rubrics an export writes (criteria left out, edits applied with their originals kept).
import { createHash } from 'node:crypto'
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import { Low } from 'lowdb'
import type { Annotation } from '../../shared/annotation'
import {
  SET_NAME,
  type CriterionEdit,
  type CuratedRubric,
  type CuratedSet,
  type CuratedSetSummary,
  type CurationCandidate,
  type SetFilters,
} from '../../shared/curated-set'
import type { CurationFigures } from '../analysis/analysis-engine'
import { criterionFlagCounts, pairRubricIds } from '../audit/criterion-flags'
import type { RunIndex } from '../run/run-index'
import { DurableJsonFile, readVersionedDocs } from '../store/durable-json-file'

export const CURATION_SCHEMA_VERSION = 1

interface SetDoc extends CuratedSet {
  schemaVersion: number
}

const fileOf = (name: string): string =>
  `${createHash('sha256').update(name).digest('hex').slice(0, 16)}.json`

export class CurationStore {
  private readonly sets = new Map<string, CuratedSet>()

  private constructor(readonly dir: string) {}

  static async open(workspaceDir: string): Promise<CurationStore> {
    const store = new CurationStore(join(workspaceDir, 'curation'))
    for (const set of await readVersionedDocs<CuratedSet>(store.dir, CURATION_SCHEMA_VERSION))
      store.sets.set(set.name, set)
    return store
  }

  list(): CuratedSetSummary[] {
    return [...this.sets.values()]
      .map((s) => ({
        name: s.name,
        rubrics: s.rubrics.length,
        criteria: s.rubrics.reduce((n, r) => n + r.excluded.length, 0),
        edits: s.rubrics.reduce((n, r) => n + r.edits.length, 0),
        updated: s.updated,
      }))
      .sort((a, b) => a.name.localeCompare(b.name))
  }

  get(name: string): CuratedSet | undefined {
    return this.sets.get(name)
  }

  /** Saves (or replaces) a set; resolves once it is on disk. */
  async save(set: CuratedSet): Promise<void> {
    if (!SET_NAME.test(set.name))
      throw new Error(
        `a set name is 1–80 letters, digits, spaces, dots, dashes or underscores, starting with a letter or digit`
      )
    const db = new Low<SetDoc>(new DurableJsonFile<SetDoc>(join(this.dir, fileOf(set.name))), {
      schemaVersion: CURATION_SCHEMA_VERSION,
      ...set,
    })
    await db.write()
    this.sets.set(set.name, set)
  }

  async remove(name: string): Promise<boolean> {
    if (!this.sets.has(name)) return false
    await rm(join(this.dir, fileOf(name)), { force: true })
    this.sets.delete(name)
    return true
  }
}

/** Every rubric of the run that the filters let through, in run order. */
export function curationCandidates(
  index: RunIndex,
  figures: CurationFigures,
  labels: readonly Annotation[],
  filters: SetFilters
): CurationCandidate[] {
  // Each rubric's figures under the threshold judge (or, with none named, the judge with most pairs).
  const best = new Map<string, { judge: string; n: number; accuracy: number | null; human: number | null }>()
  for (const [rubricId, judge, n, accuracy, human] of figures.utility) {
    if (filters.judge !== null && judge !== filters.judge) continue
    const known = best.get(rubricId)
    if (known === undefined || n > known.n) best.set(rubricId, { judge, n, accuracy, human })
  }
  // Criteria to drop: by ablation mark (any judge), or flagged by an annotator.
  const dropped = new Map<string, Set<number>>()
  const drop = (rubricId: string, k: number): void => {
    dropped.set(rubricId, (dropped.get(rubricId) ?? new Set()).add(k))
  }
  for (const [rubricId, k, mark] of figures.marks) if (filters.dropMarks.includes(mark)) drop(rubricId, k)
  if (filters.dropFlag !== null)
    for (const [rubricId, counts] of criterionFlagCounts(labels, pairRubricIds(index)))
      for (const [k, byFlag] of Object.entries(counts))
        if ((byFlag[filters.dropFlag] ?? 0) > 0) drop(rubricId, Number(k))
  const out: CurationCandidate[] = []
  for (let r = 0; r < index.rubrics.length; r++) {
    const rec = index.rubrics.get(r)
    if (rec === undefined) continue
    const prompt = index.prompts[rec.prompt]
    const f = best.get(rec.id)
    if (filters.formatValid !== null && rec.formatValid !== filters.formatValid) continue
    if (filters.taskType !== null && (prompt?.taskType ?? null) !== filters.taskType) continue
    if (filters.step !== null && rec.step !== filters.step) continue
    if (filters.minAccuracy !== null && (f?.accuracy ?? -1) < filters.minAccuracy) continue
    if (filters.minHumanAccuracy !== null && (f?.human ?? -1) < filters.minHumanAccuracy) continue
    out.push({
      rubricId: rec.id,
      promptId: prompt?.id ?? '',
      prompt: (prompt?.text ?? '').slice(0, 200),
      taskType: prompt?.taskType ?? null,
      step: rec.step,
      formatValid: rec.formatValid,
      criteria: rec.criteria,
      dropped: [...(dropped.get(rec.id) ?? [])].filter((k) => k < rec.criteria).sort((a, b) => a - b),
      judge: f?.judge ?? null,
      n: f?.n ?? 0,
      accuracy: f?.accuracy ?? null,
      humanAccuracy: f?.human ?? null,
    })
  }
  return out
}

/** A set from the filters' rubrics, rubrics added and removed by hand, and criterion edits. */
export function buildSet(
  name: string,
  filters: SetFilters,
  candidates: readonly CurationCandidate[],
  index: RunIndex,
  hand: {
    added: string[]
    removed: string[]
    excluded: { rubricId: string; criterion: number }[]
    edits: (CriterionEdit & { rubricId: string })[]
  },
  previous: CuratedSet | undefined
): CuratedSet {
  const now = new Date().toISOString()
  const removed = new Set(hand.removed)
  const rubrics = new Map<string, CuratedRubric>()
  for (const c of candidates)
    if (!removed.has(c.rubricId))
      rubrics.set(c.rubricId, {
        rubricId: c.rubricId,
        excluded: [...c.dropped],
        dropped: [...c.dropped],
        edits: [],
      })
  for (const id of hand.added) {
    if (index.rubricIndex(id) === undefined) throw new Error(`no rubric ${JSON.stringify(id)} in this run`)
    if (!removed.has(id) && !rubrics.has(id)) rubrics.set(id, { rubricId: id, excluded: [], edits: [] })
  }
  for (const e of hand.excluded) {
    const r = rubrics.get(e.rubricId)
    if (r !== undefined && !r.excluded.includes(e.criterion)) r.excluded.push(e.criterion)
  }
  for (const { rubricId, ...edit } of hand.edits) {
    const r = rubrics.get(rubricId)
    if (r === undefined)
      throw new Error(`an edit names rubric ${JSON.stringify(rubricId)}, which is not in the set`)
    r.edits.push(edit)
  }
  for (const r of rubrics.values()) r.excluded.sort((a, b) => a - b)
  return {
    name,
    created: previous?.created ?? now,
    updated: now,
    filters,
    added: hand.added,
    removed: hand.removed,
    rubrics: [...rubrics.values()],
  }
}
