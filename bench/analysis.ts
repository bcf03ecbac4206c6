// npm run bench:analysis [-- --pairs N --labels N --updates N --judged SHARE]
// Every analysis on the generated 200,000-pair run (generate-ui-run.ts: stored verdicts on every
// pair), with a local criteria-logprob judge's per-criterion verdicts on a sample of the pairs
// (10% by default), its no-rubric baseline on a quarter of those, and two annotators' labels: the time from a cold
// start (the engine built from the open run) to the summary and the first page of every table;
// then how long a new label, and a new verdict, take to reach the figures. The cold start and the
// labels go through the built `serve` over its WebSocket bridge, as the app runs them; verdicts
// through a workbench in this process (the process that runs a judge job writes its verdicts).
// Progress lines first; the last line is one JSON object.
import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import type { Annotation } from '../src/shared/annotation'
import type { LocalVerdict } from '../src/shared/judge'
import { verdictKey } from '../src/shared/judge'
import { mulberry32 } from '../src/shared/seeded-random'
import { dispatch } from '../src/core/api/dispatch'
import { AnnotationStore } from '../src/core/audit/annotation-store'
import { VerdictStore } from '../src/core/judge/verdict-store'
import { openRun } from '../src/core/reader/open-run'
import { Workbench } from '../src/core/workbench'
import { defaultUiRunDir, ensureUiRun } from './generate-ui-run'
import { connectBridge, startServe, stopServe } from './lib/serve-bridge'

const { values } = parseArgs({
  options: {
    pairs: { type: 'string', default: '200000' },
    labels: { type: 'string', default: '5000' },
    updates: { type: 'string', default: '20' },
    judged: { type: 'string', default: '0.1' },
    /** Keep (and reuse) the workspace in this folder, for profiling runs. */
    workspace: { type: 'string' },
  },
})
const PAIRS = Number(values.pairs)
const LABELLED = Number(values.labels)
const UPDATES = Number(values.updates)
/** The share of pairs the local judge scored (a sample, as one judges a run on a workstation). */
const JUDGED = Number(values.judged)
const JUDGE = 'bench-judge@fp32#0000'
const LOCAL = `${JUDGE} criteria-logprob criteria-logprob@1`
const log = (line: string): void => console.log(line)
const ms = (since: number): number => Math.round((performance.now() - since) * 10) / 10
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN
const p95 = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.95)] ?? NaN

const dir = defaultUiRunDir(PAIRS)
await ensureUiRun(dir, PAIRS, log)
const keep = values.workspace
const workspace = keep ?? (await mkdtemp(join(tmpdir(), 'rw-bench-analysis-')))
try {
  const { verdicts, pairIds, pairRubric, judged, labels } = await prepare(workspace)
  const random = mulberry32(8)
  const cli = join(import.meta.dirname, '..', 'out', 'main', 'cli.js')
  if (!existsSync(cli)) throw new Error('build first: npm run build')

  // From a cold start and for labels: the built `serve`, over its WebSocket bridge, as the app.
  log('starting serve on the run …')
  const serve = await startServe(cli, dir, workspace)
  let cold: Record<string, unknown>
  const labelTimes: number[] = []
  const saveTimes: number[] = []
  try {
    await serve.opened
    const bridge = await connectBridge(serve.url)
    const call = <T>(method: string, args: object): Promise<T> => bridge.call<T>(method, args)
    log('all analyses from a cold start …')
    const started = performance.now()
    const summary = await call<{ judges: { id: string }[]; counts: object; timings: Record<string, number> }>(
      'analysis.summary',
      {}
    )
    const summaryMs = ms(started)
    await call('analysis.rows', { table: 'rubrics', sort: 'accuracy', limit: 50 })
    await call('analysis.rows', { table: 'criteria', sort: 'flipRate', limit: 50 })
    await call('analysis.rows', { table: 'transfer', judge: LOCAL, other: 'stored', sort: 'n', limit: 50 })
    await call('analysis.rows', { table: 'wrong-answers', limit: 50 })
    const allMs = ms(started)
    log(
      `  summary ${summaryMs} ms, with the first page of every table ${allMs} ms: ${JSON.stringify(summary.counts)}`
    )
    cold = {
      summary_ms: summaryMs,
      input_ms: summary.timings['inputMs'],
      handoff_ms: summary.timings['handoffMs'],
      build_ms: summary.timings['buildMs'],
      first_summary_ms: summary.timings['summaryMs'],
      all_analyses_ms: allMs,
    }
    // A new label: saved (durably), then the summary and its rubric's figures asked for again.
    for (let u = 0; u < UPDATES; u++) {
      const at = 3 + u * 11
      const t0 = performance.now()
      await call('annotations.save', {
        pairId: pairIds[at],
        label: u % 2 === 0 ? 'older' : 'newer',
        annotator: 'ann3',
        blind: true,
      })
      saveTimes.push(ms(t0))
      const t1 = performance.now()
      await call('analysis.summary', {})
      await call('analysis.rubric', { rubricId: pairRubric[at] })
      labelTimes.push(ms(t1))
    }
    bridge.close()
  } finally {
    await stopServe(serve.child)
  }

  // A new verdict: a judge job's batch (a pair's two responses re-judged) written to the store of
  // a workbench in this process (a verdict store is written by the one process running the job).
  log('verdict updates …')
  const verdictTimes: number[] = []
  const wb = new Workbench({ transport: 'cli', workspace })
  try {
    await wb.open(dir)
    await dispatch(wb.handlers, 'analysis.summary', {})
    const store = await wb.verdictStore()
    for (let u = 0; u < UPDATES; u++) {
      const at = judged[(u * 7) % judged.length] as number
      const batch = verdicts
        .filter((v) => v.rubricId === pairRubric[at])
        .slice(0, 2)
        .map((v) => ({ ...v, score: random() }))
      await store.append(batch)
      const t1 = performance.now()
      await dispatch(wb.handlers, 'analysis.summary', {})
      await dispatch(wb.handlers, 'analysis.rubric', { rubricId: pairRubric[at] })
      verdictTimes.push(ms(t1))
    }
  } finally {
    await wb.close()
  }
  log(
    `  a label: ${median(labelTimes)} ms median to the figures (save ${median(saveTimes)} ms); a verdict: ${median(verdictTimes)} ms`
  )
  console.log(
    JSON.stringify({
      pairs: PAIRS,
      local_verdicts: verdicts.length,
      labels: labels.length,
      ...cold,
      label_update_ms_median: median(labelTimes),
      label_update_ms_p95: p95(labelTimes),
      label_save_ms_median: median(saveTimes),
      verdict_update_ms_median: median(verdictTimes),
      verdict_update_ms_p95: p95(verdictTimes),
    })
  )
} finally {
  if (keep === undefined) await rm(workspace, { recursive: true, force: true })
}

/** The workspace a user would have after judging a sample locally and labelling some pairs; the
 * index it reads is dropped before anything is timed. */
async function prepare(workspace: string) {
  log('indexing the run to write the workspace …')
  const { index } = await openRun(dir)
  const random = mulberry32(7)
  const verdict = (
    responseId: string,
    rubricId: string | null,
    criteria: number,
    lift: number
  ): LocalVerdict => {
    const criterionScores =
      rubricId === null
        ? null
        : Array.from({ length: criteria }, () => Math.min(1, Math.max(0, random() * 0.8 + lift)))
    const score =
      criterionScores === null
        ? Math.min(1, random() + lift)
        : criterionScores.reduce((s, p) => s + p, 0) / Math.max(1, criterionScores.length)
    const parts = {
      judge: JUDGE,
      protocol: 'criteria-logprob' as const,
      template: 'criteria-logprob',
      templateVersion: 1,
      rubricId,
      responseId,
      otherResponseId: null,
    }
    return {
      ...parts,
      key: verdictKey(parts),
      score,
      criterionScores,
      orderScores: null,
      parseFailure: false,
      raw: null,
      reasoning: null,
      truncated: false,
      error: null,
      tokens: 0,
      time: '2026-01-01T00:00:00.000Z',
    }
  }
  const verdicts: LocalVerdict[] = []
  const pairIds: string[] = []
  const pairRubric: string[] = []
  const judged: number[] = []
  for (let i = 0; i < index.pairs.length; i++) {
    const pair = index.pairs.get(i)
    const rubric = index.rubrics.get(pair?.rubric ?? -1)
    const newer = index.responses.get(pair?.newer ?? -1)?.id
    const older = index.responses.get(pair?.older ?? -1)?.id
    if (pair === undefined || rubric === undefined || newer === undefined || older === undefined) continue
    pairIds.push(pair.id)
    pairRubric.push(rubric.id)
    if (random() >= JUDGED) continue
    judged.push(pairIds.length - 1)
    verdicts.push(
      verdict(newer, rubric.id, rubric.criteria, 0.15),
      verdict(older, rubric.id, rubric.criteria, 0.05)
    )
    if (random() < 0.25) verdicts.push(verdict(newer, null, 0, 0.05), verdict(older, null, 0, 0))
  }
  log(`writing ${verdicts.length} local verdicts and ${LABELLED} labels by two annotators …`)
  const store = await VerdictStore.open(workspace)
  for (let i = 0; i < verdicts.length; i += 50_000) await store.append(verdicts.slice(i, i + 50_000))
  const annotations = await AnnotationStore.open(workspace)
  const labels: Annotation[] = []
  const pick = (): Annotation['label'] => (random() < 0.55 ? 'newer' : random() < 0.8 ? 'older' : 'tie')
  for (let i = 0; i < LABELLED; i++) {
    const base = { pairId: pairIds[i * 7] as string, time: new Date().toISOString(), note: null, blind: true }
    const rest = { queue: null, ms: null, criterionFlags: {} }
    labels.push({ ...base, ...rest, annotator: 'ann1', label: pick() })
    if (i % 2 === 0) labels.push({ ...base, ...rest, annotator: 'ann2', label: pick() })
  }
  await annotations.saveMany(labels)

  return { verdicts, pairIds, pairRubric, judged, labels }
}
