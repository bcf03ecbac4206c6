// The workbench engine behind every front door (desktop window, serve bridge, CLI): one opened
// run at a time, its workspace, and the contract's handlers.
import { ApiError, type EventName, type EventPayload } from '../shared/contract'
import type { Page, RunSummary } from '../shared/domain'
import { toApiError, type Handlers } from './api/dispatch'
import { annotatorProblem, type Annotation, type AuditReport } from '../shared/annotation'
import { AnnotationStore } from './audit/annotation-store'
import { samplePairs } from './audit/queue-sampling'
import { QueueStore } from './audit/queue-store'
import { buildReport } from './audit/report'
import { PairQueryEngine } from './query/pair-query-engine'
import { TimelineStatsBuilder } from './query/timeline-stats'
import { openRun } from './reader/open-run'
import type { RunIndex } from './run/run-index'
import {
  pairDetail,
  pairSummary,
  promptDetail,
  promptSummary,
  responseDetail,
  responseSummary,
  rubricDetail,
  rubricLineage,
  rubricSummary,
  summarizeRun,
} from './run/run-views'
import { TextStore } from './run/text-store'
import { VERSION } from './version'
import type { JudgeSelection, JudgeSetup } from '../shared/judge'
import { deviceOptions } from './judge/devices'
import { JudgeJobs } from './judge/judge-jobs'
import { JudgeHost } from './judge/judge-host'
import { listTemplates } from './judge/judge-template'
import { pairJudgements, rubricJudgements } from './judge/judgements'
import { inspectModel } from './judge/model-folder'
import { defaultModelCache, listCached } from './models/model-hub'
import { ModelDownloads } from './models/model-downloads'
import { AnalysisService } from './analysis/analysis-service'
import { runExport } from './export/run-export'
import { criterionFlagCounts } from './audit/criterion-flags'
import { TrainingJobs, type LabelledPair, type TrainingSource } from './training/training-jobs'
import { NoHeadError } from './training/trained-heads'
import { compareOnHeldOut } from './training/comparison'
import { applyLearnedWeights } from './training/apply-weights'
import { defaultTrainingSpec, type TrainingComparison, type TrainingLabels } from '../shared/training'
import { humanMajority } from '../shared/utility'
import { OutputRefused } from './export/output-path'
import { buildSet, CurationStore, curationCandidates } from './export/curation'
import type { CuratedSet, CurationCandidate, SetFilters } from '../shared/curated-set'
import type { ExportRequest, ExportResult } from '../shared/export'
import { VerdictStore } from './judge/verdict-store'
import { GeneratedRubrics } from './rubrics/generated-rubrics'
import type { GeneratedRubric } from '../shared/generated-rubric'
import { generateRubrics, type GenerationOptions } from './rubrics/rubric-generation'
import { smokeTestModelDir } from './resources'
import { defaultWorkspaceFor } from './workspace/location'
import { Workspace } from './workspace/workspace'

export type Emit = <E extends EventName>(event: E, payload: EventPayload<E>) => void

export interface WorkbenchOptions {
  transport: 'ipc' | 'serve' | 'cli'
  /** A workspace folder chosen by the user (`--workspace`); otherwise one per run in app data. */
  workspace?: string
  emit?: Emit
  env?: NodeJS.ProcessEnv
}

export interface OpenRunState {
  index: RunIndex
  store: TextStore
  workspace: Workspace
  summary: RunSummary
  pairs: PairQueryEngine
  timeline: TimelineStatsBuilder
  /** Null when the workspace's annotation store could not be opened (see annotationsProblem). */
  annotations: AnnotationStore | null
  queues: QueueStore | null
  /** Null when the workspace's judge results could not be opened (see judgeProblem). */
  judging: { verdicts: VerdictStore; jobs: JudgeJobs } | null
  analysis: AnalysisService
  curation: CurationStore | null
  curationProblem: string | null
  judgeProblem: string | null
  generated: GeneratedRubrics | null
  /** Null when the workspace's training jobs could not be opened (see trainingProblem). */
  training: TrainingJobs | null
  trainingProblem: string | null
}

export class Workbench {
  private current: OpenRunState | null = null
  /** The open in progress, so requests that arrive while a run is indexing wait for it. */
  private opening: Promise<RunSummary> | null = null
  /** Opens are numbered: only the latest one may become the current run. */
  private openSeq = 0
  /** The run the user's --workspace was given for; other runs get their own default workspace. */
  private explicitWorkspaceRun: string | null = null
  /** Why the last open failed, told to requests that find no run. */
  private lastOpenError: unknown = null
  private readonly emit: Emit
  /** Downloads belong to the app, not to a run: they go on when another run opens. */
  private readonly downloads: ModelDownloads

  constructor(private readonly options: WorkbenchOptions) {
    this.emit = options.emit ?? (() => {})
    this.downloads = new ModelDownloads(options.env ?? process.env, (d) => this.emit('models.progress', d))
  }

  open(path: string): Promise<RunSummary> {
    const opening = this.load(path, ++this.openSeq)
    this.opening = opening
    // The failure is reported to whoever awaits this open; later requests see "no run".
    void opening
      .then(
        () => (this.lastOpenError = null),
        (error: unknown) => (this.lastOpenError = error)
      )
      .finally(() => {
        if (this.opening === opening) this.opening = null
      })
    return opening
  }

  private async load(path: string, seq: number): Promise<RunSummary> {
    const stillLatest = (): void => {
      if (seq !== this.openSeq)
        throw new ApiError('internal', `opening ${path} was overtaken by a later open`)
    }
    const { index, indexMs } = await openRun(path, {
      onProgress: (p) => this.emit('run.progress', { path, ...p }),
    })
    stillLatest()
    this.explicitWorkspaceRun ??= index.location
    const explicit = this.options.workspace !== undefined && this.explicitWorkspaceRun === index.location
    const dir = explicit
      ? (this.options.workspace as string)
      : await defaultWorkspaceFor(index.location, this.options.env)
    const workspace = await Workspace.open(dir, { path: index.location, format: index.format })
    const summary = summarizeRun(index, indexMs, workspace.dir)
    stillLatest()
    const store = new TextStore(index)
    // A damaged annotation store must not hide the run: it opens, and says what is wrong.
    let annotations: AnnotationStore | null = null
    let queues: QueueStore | null = null
    try {
      annotations = await AnnotationStore.open(workspace.dir)
      queues = await QueueStore.open(workspace.dir)
    } catch (error) {
      summary.annotationsProblem = (error as Error).message
    }
    const labelled = {
      pairs: () => annotations?.labelledPairs() ?? new Set<string>(),
      version: () => annotations?.version ?? 0,
    }
    const pairs = new PairQueryEngine(index, labelled)
    const timeline = new TimelineStatsBuilder(index, store, pairs.columns)
    let judging: OpenRunState['judging'] = null
    let judgeProblem: string | null = null
    try {
      const verdicts = await VerdictStore.open(workspace.dir)
      const select = (selection: JudgeSelection): Promise<number[]> => this.selectPairs(selection)
      const generatedFor = (promptId: string): GeneratedRubric[] =>
        this.current?.generated?.forPrompt(promptId) ?? []
      const jobs = await JudgeJobs.open(
        workspace.dir,
        verdicts,
        { index, texts: store, select, generated: generatedFor },
        (job) => this.emit('judge.progress', job)
      )
      judging = { verdicts, jobs }
    } catch (error) {
      judgeProblem = `local judge results cannot be used: ${(error as Error).message}`
    }
    const generated = await GeneratedRubrics.open(workspace.dir).catch(() => null)
    let curation: CurationStore | null = null
    let curationProblem: string | null = null
    try {
      curation = await CurationStore.open(workspace.dir)
    } catch (error) {
      curationProblem = (error as Error).message
    }
    const analysis = new AnalysisService(
      async () => ({
        index,
        columns: pairs.columns,
        store,
        generated: generated?.all() ?? [],
        verdicts: judging?.verdicts.all() ?? [],
        labels: annotations?.list() ?? [],
      }),
      () => generated?.version ?? 0
    )
    annotations?.onChange((pairIds) => {
      for (const pairId of pairIds) analysis.labelsChanged(pairId, annotations.forPair(pairId))
    })
    judging?.verdicts.onAppend((verdicts) => analysis.verdictsAdded(verdicts))
    let training: TrainingJobs | null = null
    let trainingProblem: string | null = null
    try {
      training = await TrainingJobs.open(
        workspace.dir,
        trainingSource(index, store, analysis, () => annotations),
        (job) => this.emit('training.progress', job)
      )
    } catch (error) {
      trainingProblem = `training jobs cannot be used: ${(error as Error).message}`
    }
    stillLatest()
    // The previous run's judge job stops with it (it can be resumed when that run is open again).
    await this.current?.judging?.jobs.close()
    await this.current?.training?.close()
    await this.current?.analysis.close()
    this.current = {
      index,
      store,
      workspace,
      summary,
      pairs,
      timeline,
      annotations,
      queues,
      judging,
      judgeProblem,
      generated,
      analysis,
      curation,
      curationProblem,
      training,
      trainingProblem,
    }
    this.emit('run.opened', summary)
    return summary
  }

  private async needCuration(): Promise<CurationStore> {
    const { curation, curationProblem } = await this.need()
    if (curation === null)
      throw new ApiError('internal', `curated sets cannot be read: ${curationProblem ?? 'unknown'}`)
    return curation
  }

  private async curationCandidates(filters: SetFilters): Promise<CurationCandidate[]> {
    const { index, analysis, annotations } = await this.need()
    return curationCandidates(index, await analysis.curation(), annotations?.list() ?? [], filters)
  }

  private async needAnnotations(): Promise<AnnotationStore> {
    const { annotations, summary } = await this.need()
    if (annotations === null)
      throw new ApiError(
        'internal',
        `annotations cannot be saved or read: ${summary.annotationsProblem ?? 'unknown'}`
      )
    return annotations
  }

  private async report(): Promise<AuditReport> {
    const { index, pairs } = await this.need()
    const queues = await this.needQueues()
    const adjudication = new Set(
      queues
        .list()
        .filter((q) => q.strategy === 'annotators-disagree')
        .map((q) => q.id)
    )
    return buildReport(index, pairs.columns, (await this.needAnnotations()).list(), adjudication)
  }

  private async needQueues(): Promise<QueueStore> {
    const { queues, summary } = await this.need()
    if (queues === null)
      throw new ApiError(
        'internal',
        `audit queues cannot be used: ${summary.annotationsProblem ?? 'unknown'}`
      )
    return queues
  }

  private async needJudging(): Promise<NonNullable<OpenRunState['judging']>> {
    const { judging, judgeProblem } = await this.need()
    if (judging === null) throw new ApiError('internal', judgeProblem ?? 'local judges are unavailable')
    return judging
  }

  /** Stops what runs in the background (a judge job's process); the run's files stay as they are. */
  async close(): Promise<void> {
    await this.opening?.catch(() => {})
    this.downloads.close()
    await this.current?.judging?.jobs.close()
    await this.current?.training?.close()
    await this.current?.analysis.close()
  }

  /** Generates rubrics for prompts of the open run into its workspace (the CLI's `rubrics generate`). */
  async generateRubrics(
    options: Omit<GenerationOptions, 'index' | 'store' | 'prompts'> & { limit: number | null }
  ): Promise<Awaited<ReturnType<typeof generateRubrics>>> {
    const { index, generated } = await this.need()
    if (generated === null)
      throw new ApiError('internal', 'the generated-rubric file of this workspace cannot be read')
    let prompts = index.prompts.map((_, i) => i)
    if (options.limit !== null) prompts = prompts.slice(0, options.limit)
    return generateRubrics({
      ...options,
      index,
      store: generated,
      prompts,
      env: options.env ?? this.options.env,
    })
  }

  /** The judge jobs of the open run (the CLI drives them directly). */
  async judgeJobs(): Promise<JudgeJobs> {
    return (await this.needJudging()).jobs
  }

  /**
   * Saves labels as given (time, blind, queue and flags kept: an import), one after another, each
   * durable before `saved` hears of it; labels for pairs the run does not have are refused.
   */
  async importLabels(
    labels: readonly Annotation[],
    saved: (at: number) => void,
    refused: (at: number, message: string) => void
  ): Promise<void> {
    const { index } = await this.need()
    const annotations = await this.needAnnotations()
    for (const [at, a] of labels.entries()) {
      if (index.pairIndex(a.pairId) === undefined) {
        refused(at, `no pair ${JSON.stringify(a.pairId)} in this run`)
        continue
      }
      await annotations.save(a)
      saved(at)
    }
  }

  /** Writes an export of the open run (rubrics, verified pairs, labels or the report). */
  async exportRun(request: ExportRequest): Promise<ExportResult> {
    const { index, store, summary, analysis } = await this.need()
    const set = request.set === null ? null : (await this.needCuration()).get(request.set)
    if (set === undefined)
      throw new ApiError('not-found', `no curated set named ${JSON.stringify(request.set)} in this workspace`)
    return runExport(
      {
        set,
        index,
        store,
        runName: summary.name,
        labels: async () => (await this.needAnnotations()).list(),
        summary: () => analysis.summary(),
        rubricFigures: (rubricId) => analysis.rubric(rubricId),
      },
      request
    )
  }

  /** The training jobs of the open run (the CLI drives them directly). */
  async trainingJobs(): Promise<TrainingJobs> {
    const { training, trainingProblem } = await this.need()
    if (training === null) throw new ApiError('internal', trainingProblem ?? 'training is unavailable')
    return training
  }

  /** Judges, the scalar head and the re-weighted rubric on the human labels a seed holds out. */
  async compareHeads(seed: number, validShare: number): Promise<TrainingComparison> {
    const { index, analysis, workspace } = await this.need()
    const jobs = await this.trainingJobs()
    return compareOnHeldOut(seed, validShare, {
      margins: await analysis.humanPairMargins(),
      promptOf: (pairId) => {
        const pair = index.pairs.get(index.pairIndex(pairId) ?? -1)
        return pair === undefined ? undefined : index.prompts[pair.prompt]?.id
      },
      responsesOf: (pairId) => {
        const pair = index.pairs.get(index.pairIndex(pairId) ?? -1)
        const newer = pair === undefined ? undefined : index.responses.get(pair.newer)
        const older = pair === undefined ? undefined : index.responses.get(pair.older)
        return newer === undefined || older === undefined
          ? undefined
          : { newerId: newer.id, olderId: older.id }
      },
      heads: (await jobs.heads()).heads,
      criterionData: (judge) => analysis.criterionPairs(judge, 'human'),
      workspaceDir: workspace.dir,
      // Heads run in a judge host: this process never loads the inference runtime.
      score: async (model, input, output, rows) => {
        const host = new JudgeHost()
        try {
          return await host.score(model, input, output, rows)
        } finally {
          await host.close()
        }
      },
    })
  }

  /** Writes a criteria head's learned weights into a curated set as weight edits (null: removes them). */
  private async applyHeadWeights(
    name: string,
    headId: string | null
  ): Promise<{ set: CuratedSet; edits: number; rubrics: number }> {
    const { analysis } = await this.need()
    const store = await this.needCuration()
    const set = store.get(name)
    if (set === undefined)
      throw new ApiError('not-found', `no curated set named ${JSON.stringify(name)} in this workspace`)
    let head: { id: string; theta: number[] } | null = null
    if (headId !== null) {
      const saved = await this.savedHead(headId, (jobs) => jobs.head(headId))
      const theta = saved.extra['theta']
      if (
        saved.head.head !== 'criteria' ||
        !Array.isArray(theta) ||
        !theta.every((x) => typeof x === 'number')
      )
        throw new ApiError(
          'bad-request',
          `${headId} is not a criteria head: only a criteria head proposes weights`
        )
      head = { id: headId, theta: theta as number[] }
    }
    const features = head === null ? {} : await analysis.criterionFeatures(set.rubrics.map((r) => r.rubricId))
    const result = applyLearnedWeights(set, head, features, new Date().toISOString())
    await store.save(result.set)
    return result
  }

  /** Every label in the workspace. */
  async labels(): Promise<Annotation[]> {
    return (await this.needAnnotations()).list()
  }

  /** The open run's local verdicts (for tools that add results the way a judge job does). */
  async verdictStore(): Promise<VerdictStore> {
    return (await this.needJudging()).verdicts
  }

  private async selectPairs(selection: JudgeSelection): Promise<number[]> {
    const { index, pairs } = await this.need()
    if (selection.kind === 'run') return Array.from({ length: index.pairs.length }, (_, i) => i)
    if (selection.kind === 'query') return Array.from(await pairs.matching(selection.query))
    const queue = (await this.needQueues()).get(selection.id)
    if (queue === undefined)
      throw new ApiError('not-found', `no audit queue ${JSON.stringify(selection.id)} in this workspace`)
    return queue.pairIds.map((id) => index.pairIndex(id)).filter((i): i is number => i !== undefined)
  }

  private async judgeSetup(): Promise<JudgeSetup> {
    const { judging } = await this.need()
    const folders = new Set<string>([smokeTestModelDir])
    for (const dir of (this.options.env ?? process.env)['RUBRIC_WORKBENCH_MODELS']?.split(':') ?? [])
      if (dir !== '') folders.add(dir)
    for (const job of judging?.jobs.list() ?? []) if (job.spec.model !== null) folders.add(job.spec.model)
    // Models pulled from a hub (`rubric-workbench models pull`) that hold an ONNX model.
    for (const cached of await listCached(defaultModelCache(this.options.env ?? process.env)))
      folders.add(cached.dir)
    const models = await Promise.all(
      [...folders].map(async (path) => {
        try {
          const m = await inspectModel(path)
          return {
            path: m.dir,
            name: m.name,
            dtypes: m.dtypes,
            smokeTest: m.smokeTest,
            contextLength: m.contextLength,
            problem: null,
          }
        } catch (error) {
          return {
            path,
            name: path.split(/[\\/]/).pop() ?? path,
            dtypes: [],
            smokeTest: false,
            contextLength: null,
            problem: (error as Error).message,
          }
        }
      })
    )
    const templates = (await listTemplates()).map((t) => ({
      path: t.path,
      name: t.name,
      version: t.version,
      protocol: t.protocol,
      withoutRubric: t.userWithoutRubric !== null,
    }))
    const issues = judging?.verdicts.issues ?? []
    return {
      models,
      templates,
      devices: deviceOptions(),
      verdictIssues: { count: issues.length, first: issues.slice(0, 20) },
    }
  }

  private async need(): Promise<OpenRunState> {
    if (this.opening !== null) await this.opening.catch(() => {})
    if (this.current === null) {
      if (this.lastOpenError !== null) throw toApiError(this.lastOpenError)
      throw new ApiError('no-run', 'no run is open')
    }
    return this.current
  }

  readonly handlers: Handlers = {
    'app.info': async () => ({
      version: VERSION,
      transport: this.options.transport,
      runPath: this.current?.summary.path ?? null,
    }),
    'run.open': async ({ path }) => this.open(path),
    'run.summary': async () => (await this.need()).summary,
    'run.errors': async ({ offset, limit }) => {
      const { index } = await this.need()
      // Only the first MAX_KEPT_ISSUES are kept for listing; the summary counts them all.
      return { total: index.issues.length, offset, items: index.issues.slice(offset, offset + limit) }
    },
    'checkpoints.list': async () => (await this.need()).summary.checkpoints,
    'pairs.list': async ({ offset, limit, ...query }) => (await this.need()).pairs.page(query, offset, limit),
    'pairs.neighbors': async ({ id, ...query }) => (await this.need()).pairs.neighbors(id, query),
    'pairs.facets': async () => (await this.need()).pairs.facets(),
    'timeline.stats': async () => (await this.need()).timeline.stats(),
    'pairs.get': async ({ id }) => {
      const { index, store } = await this.need()
      const pair = index.pairs.get(index.pairIndex(id) ?? -1)
      if (pair === undefined) throw new ApiError('not-found', `no pair ${JSON.stringify(id)} in this run`)
      return pairDetail(index, store, pair)
    },
    'prompts.list': async ({ offset, limit }) => {
      const { index } = await this.need()
      return page(index.prompts, offset, limit, promptSummary)
    },
    'prompts.get': async ({ id }) => {
      const { index } = await this.need()
      const at = index.promptIndex(id)
      const prompt = index.prompts[at ?? -1]
      if (prompt === undefined) throw new ApiError('not-found', `no prompt ${JSON.stringify(id)} in this run`)
      return {
        prompt: promptDetail(prompt),
        responses: index.responses.where('prompt', at ?? -1).map((r) => responseSummary(index, r)),
        rubrics: index.rubrics.where('prompt', at ?? -1).map((r) => rubricSummary(index, r)),
        pairs: index.pairs.where('prompt', at ?? -1).map((p) => pairSummary(index, p)),
      }
    },
    'rubrics.get': async ({ id }) => {
      const { index, store } = await this.need()
      const rubric = index.rubrics.get(index.rubricIndex(id) ?? -1)
      if (rubric === undefined) throw new ApiError('not-found', `no rubric ${JSON.stringify(id)} in this run`)
      const prompt = index.prompts[rubric.prompt]
      if (prompt === undefined) throw new ApiError('internal', `rubric ${id} has no prompt`)
      return { rubric: await rubricDetail(index, store, rubric), prompt: promptDetail(prompt) }
    },
    'rubrics.lineage': async ({ promptId }) => {
      const { index, store } = await this.need()
      return rubricLineage(index, store, promptId)
    },
    'annotations.save': async (args) => {
      const { index } = await this.need()
      const annotations = await this.needAnnotations()
      if (index.pairIndex(args.pairId) === undefined)
        throw new ApiError('not-found', `no pair ${JSON.stringify(args.pairId)} in this run`)
      const problem = annotatorProblem(args.annotator)
      if (problem !== null) throw new ApiError('bad-request', problem)
      const annotation: Annotation = { ...args, time: new Date().toISOString() }
      await annotations.save(annotation)
      return annotation
    },
    'annotations.remove': async ({ pairId, annotator }) => ({
      removed: await (await this.needAnnotations()).remove(pairId, annotator),
    }),
    'annotations.list': async ({ offset, limit, annotator }) => {
      const all = (await this.needAnnotations()).list()
      return page(
        annotator === undefined ? all : all.filter((a) => a.annotator === annotator),
        offset,
        limit,
        (a) => a
      )
    },
    'annotations.annotators': async () => {
      const counts = new Map<string, number>()
      for (const a of (await this.needAnnotations()).list())
        counts.set(a.annotator, (counts.get(a.annotator) ?? 0) + 1)
      return [...counts].map(([name, labels]) => ({ name, labels }))
    },
    'annotations.criterionFlags': async ({ rubricId }) => {
      const { index } = await this.need()
      const rubric = index.rubricIndex(rubricId)
      if (rubric === undefined)
        throw new ApiError('not-found', `no rubric ${JSON.stringify(rubricId)} in this run`)
      const rubricOf = new Map(index.pairs.where('rubric', rubric).map((p) => [p.id, rubricId]))
      return criterionFlagCounts((await this.needAnnotations()).list(), rubricOf).get(rubricId) ?? {}
    },
    'queues.create': async ({ name, strategy, size, seed }) => {
      const { index, pairs } = await this.need()
      const queues = await this.needQueues()
      const disagreements =
        strategy === 'annotators-disagree'
          ? (await this.report()).disagreements.map((pairId) => index.pairIndex(pairId) as number)
          : []
      const picked = samplePairs(index, pairs.columns, strategy, size, seed, disagreements)
      if (picked.length === 0) throw new ApiError('bad-request', `no pair of this run fits "${strategy}"`)
      const { pairIds: _ids, ...summary } = await queues.create({
        name,
        strategy,
        seed,
        pairIds: picked.map((i) => pairs.columns.pairId(i)),
      })
      return summary
    },
    'queues.list': async () => (await this.needQueues()).list(),
    'audit.report': async () => this.report(),
    'queues.get': async ({ id, annotator }) => {
      const queue = (await this.needQueues()).get(id)
      if (queue === undefined)
        throw new ApiError('not-found', `no audit queue ${JSON.stringify(id)} in this workspace`)
      const labels: Record<string, Annotation> = {}
      if (annotator !== undefined) {
        const annotations = await this.needAnnotations()
        for (const pairId of queue.pairIds) {
          const a = annotations.get(pairId, annotator)
          if (a !== null) labels[pairId] = a
        }
      }
      return { queue, labels }
    },
    'responses.get': async ({ id }) => {
      const { index, store } = await this.need()
      const response = index.responses.get(index.responseIndex(id) ?? -1)
      if (response === undefined)
        throw new ApiError('not-found', `no response ${JSON.stringify(id)} in this run`)
      return responseDetail(index, store, response)
    },
    'rubrics.generated': async ({ promptId }) => {
      const { index, generated } = await this.need()
      if (index.promptIndex(promptId) === undefined)
        throw new ApiError('not-found', `no prompt ${JSON.stringify(promptId)} in this run`)
      return generated?.forPrompt(promptId) ?? []
    },
    'rubrics.generatedSets': async () => (await this.need()).generated?.sets() ?? [],
    'models.list': async () => ({
      cache: this.downloads.cache,
      models: await this.downloads.list(),
      downloads: this.downloads.active(),
    }),
    'models.pull': async (request) => this.downloads.start(request),
    'models.cancel': async ({ repo }) => {
      const running = this.downloads.active().some((d) => d.repo === repo && d.state === 'downloading')
      this.downloads.cancel(repo)
      return { cancelled: running }
    },
    'analysis.summary': async () => (await this.need()).analysis.summary(),
    'analysis.judges': async () => (await this.need()).analysis.judges(),
    'analysis.rows': async (query) => (await this.need()).analysis.rows(query),
    'analysis.rubric': async ({ rubricId }) => {
      const { index, analysis, generated } = await this.need()
      if (index.rubricIndex(rubricId) === undefined && !generated?.all().some((g) => g.id === rubricId))
        throw new ApiError('not-found', `no rubric ${JSON.stringify(rubricId)} in this run`)
      return analysis.rubric(rubricId)
    },
    'curation.candidates': async ({ filters, offset, limit }) => {
      const all = await this.curationCandidates(filters)
      return { total: all.length, offset, items: all.slice(offset, offset + limit) }
    },
    'curation.sets': async () => (await this.needCuration()).list(),
    'curation.get': async ({ name }) => {
      const set = (await this.needCuration()).get(name)
      if (set === undefined) throw new ApiError('not-found', `no curated set named ${JSON.stringify(name)}`)
      return set
    },
    'curation.save': async ({ name, filters, added, removed, excluded, edits }) => {
      const { index } = await this.need()
      const store = await this.needCuration()
      let set
      try {
        set = buildSet(
          name,
          filters,
          await this.curationCandidates(filters),
          index,
          { added, removed, excluded, edits },
          store.get(name)
        )
      } catch (error) {
        throw new ApiError('bad-request', (error as Error).message)
      }
      await store.save(set)
      return set
    },
    'curation.delete': async ({ name }) => ({ removed: await (await this.needCuration()).remove(name) }),
    'curation.applyWeights': async ({ name, head }) => this.applyHeadWeights(name, head),
    'export.run': async (request) => {
      try {
        return await this.exportRun(request)
      } catch (error) {
        if (error instanceof OutputRefused) throw new ApiError('bad-request', error.message)
        throw error
      }
    },
    'judge.setup': async () => this.judgeSetup(),
    'judge.start': async (spec) => (await this.needJudging()).jobs.start(spec),
    'judge.jobs': async () => (await this.needJudging()).jobs.list(),
    'judge.cancel': async ({ id }) => this.jobCall(id, (jobs) => jobs.cancel(id)),
    'judge.resume': async ({ id }) => this.jobCall(id, (jobs) => jobs.resume(id)),
    'judge.log': async ({ id }) => this.jobCall(id, (jobs) => Promise.resolve({ lines: jobs.log(id) })),
    'training.start': async (args) => {
      const d = defaultTrainingSpec[args.head]
      return (await this.trainingJobs()).start({
        ...args,
        epochs: args.epochs ?? d.epochs,
        lr: args.lr ?? d.lr,
        batch: args.batch ?? d.batch,
      })
    },
    'training.jobs': async () => (await this.trainingJobs()).list(),
    'training.cancel': async ({ id }) => this.trainingCall(id, (jobs) => jobs.cancel(id)),
    'training.resume': async ({ id }) => this.trainingCall(id, (jobs) => jobs.resume(id)),
    'training.log': async ({ id }) =>
      this.trainingCall(id, (jobs) => Promise.resolve({ lines: jobs.log(id) })),
    'training.heads': async () => (await this.trainingJobs()).heads(),
    'training.head': async ({ id }) => (await this.savedHead(id, (jobs) => jobs.head(id))).head,
    'training.removeHead': async ({ id }) => this.savedHead(id, (jobs) => jobs.removeHead(id)),
    'training.compare': async ({ seed, validShare }) => this.compareHeads(seed, validShare),
    'judge.pair': async ({ pairId }) => {
      const { index } = await this.need()
      const { verdicts } = await this.needJudging()
      const pair = index.pairs.get(index.pairIndex(pairId) ?? -1)
      if (pair === undefined) throw new ApiError('not-found', `no pair ${JSON.stringify(pairId)} in this run`)
      return pairJudgements(verdicts, {
        newerId: index.responses.get(pair.newer)?.id ?? '',
        olderId: index.responses.get(pair.older)?.id ?? '',
        rubricId: index.rubrics.get(pair.rubric)?.id ?? null,
      })
    },
    'judge.rubric': async ({ rubricId }) => {
      const { index } = await this.need()
      if (index.rubricIndex(rubricId) === undefined)
        throw new ApiError('not-found', `no rubric ${JSON.stringify(rubricId)} in this run`)
      return rubricJudgements((await this.needJudging()).verdicts, rubricId)
    },
  }

  private async jobCall<T>(id: string, call: (jobs: JudgeJobs) => Promise<T>): Promise<T> {
    const { jobs } = await this.needJudging()
    if (jobs.get(id) === undefined)
      throw new ApiError('not-found', `no judge job ${JSON.stringify(id)} in this workspace`)
    return call(jobs)
  }

  /** Something done with a saved head; a head that is not there is `not-found`. */
  private async savedHead<T>(id: string, use: (jobs: TrainingJobs) => Promise<T>): Promise<T> {
    const jobs = await this.trainingJobs()
    try {
      return await use(jobs)
    } catch (error) {
      if (error instanceof NoHeadError) throw new ApiError('not-found', error.message)
      throw error
    }
  }

  private async trainingCall<T>(id: string, call: (jobs: TrainingJobs) => Promise<T>): Promise<T> {
    const jobs = await this.trainingJobs()
    if (jobs.get(id) === undefined)
      throw new ApiError('not-found', `no training job ${JSON.stringify(id)} in this workspace`)
    return call(jobs)
  }
}

function page<T, U>(items: readonly T[], offset: number, limit: number, map: (item: T) => U): Page<U> {
  return { total: items.length, offset, items: items.slice(offset, offset + limit).map(map) }
}

/** What training jobs read from an open run: analyses for criteria, labelled pairs and texts for embeddings. */
function trainingSource(
  index: RunIndex,
  store: TextStore,
  analysis: AnalysisService,
  annotations: () => AnnotationStore | null
): TrainingSource {
  return {
    criterionData: (judge, labels) => analysis.criterionPairs(judge, labels),
    labelledPairs: (labels: TrainingLabels) => {
      const out: LabelledPair[] = []
      for (let i = 0; i < index.pairs.length; i++) {
        const pair = index.pairs.get(i)
        const prompt = pair === undefined ? undefined : index.prompts[pair.prompt]
        const newer = pair === undefined ? undefined : index.responses.get(pair.newer)
        const older = pair === undefined ? undefined : index.responses.get(pair.older)
        if (pair === undefined || prompt === undefined || newer === undefined || older === undefined) continue
        let label: 1 | -1 = 1
        if (labels === 'human') {
          const h = humanMajority((annotations()?.forPair(pair.id) ?? []).map((a) => a.label))
          if (h !== 'newer' && h !== 'older') continue
          label = h === 'newer' ? 1 : -1
        }
        out.push({ pairId: pair.id, promptId: prompt.id, newerId: newer.id, olderId: older.id, label })
      }
      return Promise.resolve(out)
    },
    embedText: async (responseId) => {
      const rec = index.responses.get(index.responseIndex(responseId) ?? -1)
      const prompt = rec === undefined ? undefined : index.prompts[rec.prompt]
      if (rec === undefined || prompt === undefined || rec.isError) return null
      const response = await responseDetail(index, store, rec)
      return response.answer.trim() === '' ? null : { prompt: prompt.text, response: response.answer }
    },
  }
}
