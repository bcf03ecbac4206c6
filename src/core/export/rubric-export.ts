// Rubrics with the evidence behind them, in the formats people train and evaluate with: the
// workbench's own JSONL (every criterion with its kind, the judges' figures, the annotators'
// flags and where the rubric came from), EvoLM's rubric JSON, RaR's {question, rubric}, Prometheus
// score rubrics, and a Hugging Face dataset folder (JSONL and Parquet with a dataset card).
import type { CriterionRow, RubricAnalysis } from '../../shared/analysis'
import type { CriterionFlagCounts } from '../../shared/annotation'
import type { Estimate } from '../../shared/agreement'
import type { CriterionAnalysis } from '../../shared/criterion-analysis'
import type { Criterion } from '../../shared/domain'
import type { UtilityRow } from '../../shared/utility'
import type { RubricFormat } from '../../shared/export'
import { toJsonl, toParquet } from './pair-export'

/** One rubric as the export reads it: the checklist (with edits applied), prompt and provenance. */
export interface RubricSource {
  id: string
  promptId: string
  prompt: string
  taskType: string | null
  reference: string | null
  generatorStep: number | null
  source: { file: string; line: number }
  formatValid: boolean
  criteria: (Criterion & {
    analysis: CriterionAnalysis
    original: { text: string; weight: number | null } | null
  })[]
  figures: RubricAnalysis
  flags: CriterionFlagCounts
  /** Each kept criterion's position in the run's rubric (a set may leave some out). */
  positions: number[]
}

const estimate = (e: Estimate): Record<string, number | null> => ({
  value: e.value,
  low: e.low,
  high: e.high,
  n: e.items,
})

function utility(u: UtilityRow): Record<string, unknown> {
  return {
    judge: u.judge,
    n: u.n,
    unscored: u.unscored,
    accuracy: estimate(u.accuracy),
    margin: estimate(u.margin),
    added_value: estimate(u.addedValue),
    human_accuracy: estimate(u.humanAccuracy),
  }
}

function criterionEvidence(c: CriterionRow): Record<string, unknown> {
  return {
    judge: c.judge,
    n: c.n,
    accuracy: estimate(c.accuracy),
    pass_contrast: estimate(c.passContrast),
    auroc: estimate(c.auroc),
    stability: estimate(c.stability),
    flip_rate: estimate(c.flipRate),
    human_delta: estimate(c.humanDelta),
    saturation: c.saturation,
    mark: c.mark,
    divergent: c.divergent,
  }
}

/** The workbench's own record: everything, for a round trip or an audit trail. */
export function nativeRecord(r: RubricSource): Record<string, unknown> {
  return {
    rubric_id: r.id,
    prompt_id: r.promptId,
    prompt: r.prompt,
    task_type: r.taskType,
    reference: r.reference,
    generator_step: r.generatorStep,
    source: r.source,
    format_valid: r.formatValid,
    criteria: r.criteria.map((c, i) => {
      const k = r.positions[i] ?? i
      return {
        position: k,
        text: c.text,
        weight: c.weight,
        scoring_levels: c.scoringLevels,
        edited_from: c.original,
        kind: c.analysis.kind,
        dealbreaker: c.analysis.dealbreaker,
        stated_answer: c.analysis.statedAnswer,
        matches_reference: c.analysis.matchesReference,
        flags: r.flags[String(k)] ?? {},
        evidence: r.figures.criteria.filter((f) => f.criterion === k).map(criterionEvidence),
      }
    }),
    evidence: { utility: r.figures.utility.map(utility) },
  }
}

/** EvoLM's rubric: `{"criteria": [{"criterion", "weight", "scoring_levels"?}]}` per prompt. */
function evolmRecord(r: RubricSource): Record<string, unknown> {
  return {
    prompt_id: r.promptId,
    prompt: r.prompt,
    rubric: {
      criteria: r.criteria.map((c) => ({
        criterion: c.text,
        weight: c.weight,
        ...(c.scoringLevels.length > 0 && {
          scoring_levels: Object.fromEntries(c.scoringLevels.map((l) => [l.level, l.description])),
        }),
      })),
    },
  }
}

/** RaR: `{question, rubric: [{title, description, weight}]}`; the title is the criterion's opening words. */
function rarRecord(r: RubricSource): Record<string, unknown> {
  return {
    question: r.prompt,
    rubric: r.criteria.map((c) => ({ title: title(c.text), description: c.text, weight: c.weight ?? 1 })),
  }
}

function title(text: string): string {
  const words = text.replace(/\s+/g, ' ').trim().split(' ')
  return words.length <= 8 ? words.join(' ') : `${words.slice(0, 8).join(' ')}…`
}

/**
 * Prometheus absolute grading: one score rubric per prompt, the checklist as its criteria and the
 * five levels as shares of the weight met.
 */
function prometheusRecord(r: RubricSource): Record<string, unknown> {
  const list = r.criteria.map(
    (c, k) => `${k + 1}. ${c.text}${c.weight === null ? '' : ` (weight ${c.weight})`}`
  )
  return {
    prompt_id: r.promptId,
    orig_instruction: r.prompt,
    orig_reference_answer: r.reference,
    score_rubric: {
      criteria: `Does the response satisfy this checklist?\n${list.join('\n')}`,
      score1_description: 'The response meets none of the checklist, or fails a dealbreaker.',
      score2_description: 'The response meets a small part of the checklist (about a quarter of its weight).',
      score3_description: 'The response meets about half of the checklist by weight.',
      score4_description: 'The response meets most of the checklist (about three quarters of its weight).',
      score5_description: 'The response meets every item of the checklist.',
    },
  }
}

export interface ExportFile {
  path: string
  data: string | Uint8Array
}

/** The files of a rubric export: one file, or (hf) a dataset folder's files. */
export function rubricFiles(
  rubrics: readonly RubricSource[],
  format: RubricFormat,
  card: { name: string; run: string; curation: string }
): ExportFile[] {
  switch (format) {
    case 'native':
      return [{ path: '', data: toJsonl(rubrics.map(nativeRecord)) }]
    case 'evolm':
      return [{ path: '', data: `${JSON.stringify(rubrics.map(evolmRecord), null, 1)}\n` }]
    case 'rar':
      return [{ path: '', data: toJsonl(rubrics.map(rarRecord)) }]
    case 'prometheus':
      return [{ path: '', data: toJsonl(rubrics.map(prometheusRecord)) }]
    case 'hf':
      return hfFolder(rubrics, card)
  }
}

export interface HfRow {
  rubric_id: string
  prompt_id: string
  prompt: string
  task_type: string | null
  generator_step: number | null
  source_file: string
  source_line: number
  criteria: string
  evidence: string
}

export const HF_COLUMNS: { name: keyof HfRow; type: 'STRING' | 'DOUBLE' | 'INT32'; about: string }[] = [
  { name: 'rubric_id', type: 'STRING', about: "the rubric's id in the run" },
  { name: 'prompt_id', type: 'STRING', about: 'the prompt it was written for' },
  { name: 'prompt', type: 'STRING', about: "the prompt's text" },
  { name: 'task_type', type: 'STRING', about: 'the task type, where the run has one' },
  { name: 'generator_step', type: 'DOUBLE', about: 'the generator checkpoint that wrote it' },
  { name: 'source_file', type: 'STRING', about: 'the run file it was read from' },
  { name: 'source_line', type: 'INT32', about: 'its line in that file' },
  {
    name: 'criteria',
    type: 'STRING',
    about:
      'JSON: [{text, weight, scoring_levels, edited_from, kind, dealbreaker, stated_answer, flags, evidence}]',
  },
  { name: 'evidence', type: 'STRING', about: "JSON: the rubric's utility per judge, with intervals and n" },
]

function hfFolder(
  rubrics: readonly RubricSource[],
  card: { name: string; run: string; curation: string }
): ExportFile[] {
  const rows: HfRow[] = rubrics.map((r) => {
    const n = nativeRecord(r)
    return {
      rubric_id: r.id,
      prompt_id: r.promptId,
      prompt: r.prompt,
      task_type: r.taskType,
      generator_step: r.generatorStep,
      source_file: r.source.file,
      source_line: r.source.line,
      criteria: JSON.stringify(n['criteria']),
      evidence: JSON.stringify(n['evidence']),
    }
  })
  const types = Object.fromEntries(HF_COLUMNS.map((c) => [c.name, c.type])) as Record<keyof HfRow, 'STRING'>
  const readme = [
    '---',
    'configs:',
    '- config_name: default',
    '  data_files:',
    '  - split: train',
    '    path: data/train.parquet',
    'tags:',
    '- rubrics',
    '- reward-modeling',
    '---',
    '',
    `# ${card.name}`,
    '',
    `${rubrics.length} rubric${rubrics.length === 1 ? '' : 's'} exported by Rubric Workbench from the run \`${card.run}\`.`,
    '',
    '## How the set was curated',
    '',
    card.curation,
    '',
    '## Files',
    '',
    '- `data/train.parquet`: the rows below, one per rubric.',
    "- `data/train.jsonl`: the same rubrics as the workbench's own records (nested JSON).",
    '',
    '## Schema',
    '',
    '| column | type | what |',
    '| --- | --- | --- |',
    ...HF_COLUMNS.map(
      (c) =>
        `| \`${c.name}\` | ${c.type === 'STRING' ? 'string' : c.type === 'INT32' ? 'int32' : 'float64'} | ${c.about} |`
    ),
    '',
    'Figures are measured on the run: accuracy is the share of temporal pairs the judge scored newer above',
    'older under the rubric; every rate carries its 95% bootstrap interval (`low`, `high`) and its `n`.',
    '',
  ].join('\n')
  return [
    { path: 'README.md', data: readme },
    { path: 'data/train.parquet', data: toParquet(rows, types) },
    { path: 'data/train.jsonl', data: toJsonl(rubrics.map(nativeRecord)) },
  ]
}
