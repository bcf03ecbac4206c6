// Curated rubric sets: rubrics (and which of their criteria) picked by filters and by hand, with
// edits to a criterion's text or weight, each kept with the value it replaced. Saved by name in
// the run's workspace; exports take a set instead of the whole run.
import type { AblationMark } from './analysis'
import type { CriterionFlag } from './annotation'

export interface SetFilters {
  /** The judge whose figures the thresholds read; null: any judge that scored the rubric. */
  judge: string | null
  /** Share of pairs scored newer above older under the rubric, at least. */
  minAccuracy: number | null
  /** Agreement with people under the rubric, at least (rubrics without labels do not pass). */
  minHumanAccuracy: number | null
  /** Only rubrics that pass (true) or fail (false) EvoLM's format rule. */
  formatValid: boolean | null
  taskType: string | null
  /** The generator checkpoint's step. */
  step: number | null
  /** Leave out criteria an annotator flagged so. */
  dropFlag: CriterionFlag | null
  /** Leave out criteria the ablation marked so (by any judge). */
  dropMarks: AblationMark[]
}

export const NO_FILTERS: SetFilters = {
  judge: null,
  minAccuracy: null,
  minHumanAccuracy: null,
  formatValid: null,
  taskType: null,
  step: null,
  dropFlag: null,
  dropMarks: [],
}

export interface CriterionEdit {
  criterion: number
  field: 'text' | 'weight'
  from: string | number | null
  to: string | number | null
  time: string
  /** A trained head whose learned weight this is (absent: made by hand). */
  by?: string
}

export interface CuratedRubric {
  rubricId: string
  /** Criteria left out (0-based positions), by the filters or by hand. */
  excluded: number[]
  /** Of those, the ones the filters left out (absent in sets saved before it was recorded). */
  dropped?: number[]
  /** In the order made; the last edit of a field is its value. */
  edits: CriterionEdit[]
}

export interface CuratedSet {
  name: string
  created: string
  updated: string
  filters: SetFilters
  /** Rubrics added or removed by hand, after the filters. */
  added: string[]
  removed: string[]
  rubrics: CuratedRubric[]
}

export interface CuratedSetSummary {
  name: string
  rubrics: number
  criteria: number
  edits: number
  updated: string
}

/** A rubric the filters let through, with what a curator needs to decide. */
export interface CurationCandidate {
  rubricId: string
  promptId: string
  prompt: string
  taskType: string | null
  step: number | null
  formatValid: boolean
  criteria: number
  /** Criteria the filters leave out. */
  dropped: number[]
  /** The threshold judge's figures (or the best judge's), null without verdicts. */
  judge: string | null
  n: number
  accuracy: number | null
  humanAccuracy: number | null
}

export const SET_NAME = /^[\p{L}\p{N}][\p{L}\p{N} ._-]{0,79}$/u
