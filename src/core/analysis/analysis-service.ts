// The analyses of the open run, built on first use and kept current: saved or removed labels and
// newly written local verdicts go to the engine as they happen (each update is idempotent, so one
// that races the first build is simply applied again); new generated rubrics, whose criteria the
// engine has not read, make it start over on the next question.
import type { AnalysisRows, AnalysisRowsQuery, AnalysisSummary, RubricAnalysis } from '../../shared/analysis'
import type { Annotation } from '../../shared/annotation'
import type { LocalVerdict } from '../../shared/judge'
import { analysisInput, type AnalysisSources } from './analysis-data'
import { verdictInput } from './analysis-input'
import { AnalysisEngine } from './analysis-engine'

export class AnalysisService {
  private engine: Promise<AnalysisEngine> | null = null
  private builtFor = -1

  /** `sources` reads the run and workspace as they are now; `generation` tells when they changed beyond labels and verdicts. */
  constructor(
    private readonly sources: () => Promise<AnalysisSources>,
    private readonly generation: () => number = () => 0
  ) {}

  private get(): Promise<AnalysisEngine> {
    const generation = this.generation()
    if (this.engine === null || generation !== this.builtFor) {
      this.builtFor = generation
      const engine = (async () => {
        const started = performance.now()
        const input = await analysisInput(await this.sources())
        const built = performance.now()
        const e = new AnalysisEngine(input)
        e.buildTimings = {
          inputMs: Math.round(built - started),
          buildMs: Math.round(performance.now() - built),
        }
        return e
      })()
      engine.catch(() => {
        if (this.engine === engine) this.engine = null
      })
      this.engine = engine
    }
    return this.engine
  }

  labelsChanged(pairId: string, labels: readonly Annotation[]): void {
    void this.engine?.then((e) => e.setLabels(pairId, labels)).catch(() => {})
  }

  verdictsAdded(verdicts: readonly LocalVerdict[]): void {
    const input = verdicts.map(verdictInput)
    void this.engine?.then((e) => e.addVerdicts(input)).catch(() => {})
  }

  async summary(): Promise<AnalysisSummary> {
    return (await this.get()).summary()
  }

  async rows(query: AnalysisRowsQuery): Promise<AnalysisRows> {
    return (await this.get()).rows(query)
  }

  async rubric(rubricId: string): Promise<RubricAnalysis> {
    return (await this.get()).rubric(rubricId)
  }
}
