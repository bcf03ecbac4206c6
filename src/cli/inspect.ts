// `rubric-workbench inspect PATH [--json]`: what a run holds and what could not be read.
import { stat } from 'node:fs/promises'
import { dirname, join, relative, resolve, sep } from 'node:path'
import { openRun } from '../core/reader/open-run'
import { summarizeRun } from '../core/run/run-views'
import { defaultWorkspaceFor } from '../core/workspace/location'
import { MAX_KEPT_ISSUES, type RunIndex } from '../core/run/run-index'
import type { RunSummary } from '../shared/domain'
import { terminalProgress } from './terminal-progress'

const SAMPLE = 10
const ERRORS_SHOWN = 20

export interface InspectOptions {
  json?: boolean
  workspace?: string
}

export interface InspectJson {
  format: string
  prompts: number
  checkpoints: { phase: string; step: number }[]
  responses: number
  rubrics: number
  rubrics_format_invalid: number
  pairs: number
  verdicts: number
  judge_parse_failures: number
  errors: { file: string; line: number; message: string }[]
  /** All unreadable lines; `errors` lists the first MAX_KEPT_ISSUES of them. */
  errors_total: number
  sample: { pair_ids: string[]; rubric_ids: string[]; prompt_ids: string[] }
}

/** Returns the exit status: 0 when the run opened (even with unreadable lines), 2 otherwise. */
export async function inspectCommand(
  path: string,
  options: InspectOptions,
  out: (line: string) => void
): Promise<number> {
  let index: RunIndex
  let indexMs: number
  const progress = terminalProgress('indexing')
  try {
    ;({ index, indexMs } = await openRun(path, { onProgress: (p) => progress.update(p) }))
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error)
    out(options.json === true ? JSON.stringify({ error: message }) : `rubric-workbench: ${message}`)
    return 2
  } finally {
    progress.done()
  }
  // Inspect only reads: the workspace is named, never created.
  const workspace = options.workspace ?? (await defaultWorkspaceFor(index.location))
  const summary = summarizeRun(index, indexMs, workspace)
  const fileName = await relativeToArgument(path, index.root)
  if (options.json === true) out(JSON.stringify(toJson(index, summary, fileName)))
  else printReadable(index, summary, fileName, out)
  return 0
}

/**
 * Problem files are named relative to the path the user gave, which may be a folder above the
 * run (an EvoLM tree is found up to three levels down) or the run's file itself.
 */
async function relativeToArgument(argument: string, root: string): Promise<(rel: string) => string> {
  const given = resolve(argument)
  const base = (await stat(given)).isDirectory() ? given : dirname(given)
  return (rel) => relative(base, join(root, rel)).split(sep).join('/')
}

function toJson(index: RunIndex, s: RunSummary, fileName: (rel: string) => string): InspectJson {
  return {
    format: s.format,
    prompts: s.counts.prompts,
    checkpoints: s.checkpoints.map((c) => ({ phase: c.phase, step: c.step })),
    responses: s.counts.responses,
    rubrics: s.counts.rubrics,
    rubrics_format_invalid: s.counts.rubricsFormatInvalid,
    pairs: s.counts.pairs,
    verdicts: s.counts.verdicts,
    judge_parse_failures: s.counts.judgeParseFailures,
    errors: index.issues.map((i) => ({ file: fileName(i.file), line: i.line, message: i.message })),
    errors_total: index.issueCount,
    sample: sample(index),
  }
}

/** Ids spread across the run, not just its first rows, so deep links exercise variety. */
function sample(index: RunIndex): InspectJson['sample'] {
  const spread = (length: number, idAt: (i: number) => string | undefined): string[] => {
    const n = Math.min(SAMPLE, length)
    return Array.from({ length: n }, (_, i) => idAt(Math.floor((i * length) / n)) ?? '').filter(
      (id) => id !== ''
    )
  }
  return {
    pair_ids: spread(index.pairs.length, (i) => index.pairs.field('id', i)),
    rubric_ids: spread(index.rubrics.length, (i) => index.rubrics.field('id', i)),
    prompt_ids: spread(index.prompts.length, (i) => index.prompts[i]?.id),
  }
}

function printReadable(
  index: RunIndex,
  s: RunSummary,
  fileName: (rel: string) => string,
  out: (line: string) => void
): void {
  const c = s.counts
  const mb = (s.bytes / 1e6).toFixed(1)
  out(`${s.name}  (${formatName(s.format)})`)
  out(`  path       ${s.path}`)
  out(`  workspace  ${s.workspace}`)
  out(`  indexed    ${mb} MB in ${(s.indexMs / 1000).toFixed(2)} s`)
  out('')
  out(`  prompts      ${c.prompts}`)
  out(`  checkpoints  ${c.checkpoints}${describeCheckpoints(s)}`)
  out(`  responses    ${c.responses}`)
  out(
    `  rubrics      ${c.rubrics}${c.rubricsFormatInvalid > 0 ? `  (${c.rubricsFormatInvalid} fail the format rule)` : ''}`
  )
  out(`  pairs        ${c.pairs}${describeOutcomes(index)}`)
  out(
    `  verdicts     ${c.verdicts}${c.judgeParseFailures > 0 ? `  (${c.judgeParseFailures} judge parse failures)` : ''}`
  )
  out('')
  if (c.errors === 0) {
    out('  every line was read')
    return
  }
  out(`  ${c.errors} unreadable line${c.errors === 1 ? '' : 's'}:`)
  for (const issue of index.issues.slice(0, ERRORS_SHOWN))
    out(`    ${fileName(issue.file)}:${issue.line}  ${issue.message}`)
  if (c.errors > ERRORS_SHOWN)
    out(
      `    … and ${c.errors - ERRORS_SHOWN} more (--json lists the first ${MAX_KEPT_ISSUES.toLocaleString('en')})`
    )
}

function formatName(format: string): string {
  return (
    {
      evolm: 'EvoLM output tree',
      workbench: 'workbench run',
      preference: 'preference pairs',
      rewardbench2: 'RewardBench-2',
    }[format] ?? format
  )
}

function describeCheckpoints(s: RunSummary): string {
  const steps = (phase: string): string => {
    const list = s.checkpoints.filter((c) => c.phase === phase).map((c) => c.step)
    return list.length === 0 ? '' : `${phase} ${list.length} (steps ${list[0]}–${list[list.length - 1]})`
  }
  const parts = [steps('policy'), steps('rubric')].filter((p) => p !== '')
  return parts.length > 0 ? `  ${parts.join(', ')}` : ''
}

function describeOutcomes(index: RunIndex): string {
  const counts = new Map<string, number>()
  for (const p of index.pairs) {
    const o = index.outcome(p)
    counts.set(o, (counts.get(o) ?? 0) + 1)
  }
  const agrees = counts.get('agrees') ?? 0
  const judged = index.pairs.length - (counts.get('none') ?? 0)
  if (judged === 0) return ''
  return `  (stored judge prefers the newer one in ${agrees} of ${judged}; ${counts.get('tie') ?? 0} ties)`
}
