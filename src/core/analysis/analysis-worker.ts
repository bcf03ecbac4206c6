// Worker thread holding the analysis engine (see analysis-service.ts). Building it over 200,000
// pairs takes seconds and an interval's rounds are a busy loop; here neither stalls the core's
// requests. Questions carry a sequence number and are answered in order; updates (labels,
// verdicts) are applied in the order they were posted, before any later question.
import { parentPort } from 'node:worker_threads'
import type { AnalysisRowsQuery } from '../../shared/analysis'
import { unpackInput, type PackedInput, type VerdictInput } from './analysis-input'
import { AnalysisEngine } from './analysis-engine'

export type AnalysisMessage =
  | { kind: 'build'; seq: number; input: PackedInput; inputMs: number; sentAt: number }
  | { kind: 'labels'; pairId: string; labels: { annotator: string; label: string }[] }
  | { kind: 'verdicts'; verdicts: VerdictInput[] }
  | { kind: 'summary'; seq: number }
  | { kind: 'rows'; seq: number; query: AnalysisRowsQuery }
  | { kind: 'rubric'; seq: number; rubricId: string }
  | { kind: 'curation'; seq: number }
  | { kind: 'criterionPairs'; seq: number; judge: string | null; labels: 'temporal' | 'human' }
  | { kind: 'humanPairMargins'; seq: number }
  | { kind: 'judges'; seq: number }
  | { kind: 'criterionFeatures'; seq: number; rubricIds: string[] }

export type AnalysisReply =
  { seq: number; ok: true; value: unknown } | { seq: number; ok: false; message: string }

let engine: AnalysisEngine | null = null

function answer(seq: number, compute: (e: AnalysisEngine) => unknown): void {
  try {
    if (engine === null) throw new Error('the analyses are not built yet')
    parentPort?.postMessage({ seq, ok: true, value: compute(engine) } satisfies AnalysisReply)
  } catch (error) {
    parentPort?.postMessage({ seq, ok: false, message: (error as Error).message } satisfies AnalysisReply)
  }
}

parentPort?.on('message', (m: AnalysisMessage) => {
  switch (m.kind) {
    case 'build': {
      // Wall-clock time since the core posted the input: copying it here, and starting this thread.
      const handoffMs = Math.round(performance.timeOrigin + performance.now() - m.sentAt)
      const started = performance.now()
      try {
        engine = new AnalysisEngine(unpackInput(m.input))
        engine.buildTimings = {
          inputMs: m.inputMs,
          handoffMs,
          buildMs: Math.round(performance.now() - started),
        }
        parentPort?.postMessage({ seq: m.seq, ok: true, value: null } satisfies AnalysisReply)
      } catch (error) {
        parentPort?.postMessage({
          seq: m.seq,
          ok: false,
          message: (error as Error).message,
        } satisfies AnalysisReply)
      }
      return
    }
    case 'labels':
      engine?.setLabels(m.pairId, m.labels)
      return
    case 'verdicts':
      engine?.addVerdicts(m.verdicts)
      return
    case 'summary':
      return answer(m.seq, (e) => e.summary())
    case 'rows':
      return answer(m.seq, (e) => e.rows(m.query))
    case 'rubric':
      return answer(m.seq, (e) => e.rubric(m.rubricId))
    case 'curation':
      return answer(m.seq, (e) => e.curation())
    case 'criterionPairs':
      return answer(m.seq, (e) => e.criterionPairs(m.judge, m.labels))
    case 'humanPairMargins':
      return answer(m.seq, (e) => e.humanPairMargins())
    case 'judges':
      return answer(m.seq, (e) => e.judges())
    case 'criterionFeatures':
      return answer(m.seq, (e) => e.criterionFeatures(m.rubricIds))
  }
})
