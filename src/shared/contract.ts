// The one API contract. Electron IPC (main + preload) and the serve WebSocket bridge are both
// generated from `methods` and `events` below, and both call the same core dispatcher.
//
// Arguments come from an untrusted renderer, so each method carries a runtime schema that the
// core applies once, at the boundary. Results are produced by the core itself and are only typed.
import { z } from 'zod'
import type {
  Checkpoint,
  Page,
  PairDetail,
  PairFacets,
  PairNeighbors,
  PairPage,
  PromptDetail,
  PromptSummary,
  ReadIssue,
  Response,
  RubricDetail,
  RubricLineage,
  RunSummary,
  TimelineStats,
} from './domain'
import {
  MAX_ANNOTATOR_CHARS,
  criterionFlags,
  labelValues,
  queueStrategies,
  type Annotation,
  type AuditQueue,
  type AuditQueueSummary,
  type AuditReport,
  type CriterionFlagCounts,
} from './annotation'
import { QUERY_LIMITS, annotationStates, pairSortKeys, verdictOutcomes } from './pair-query'
import type { EventName, MethodName } from './contract-names'
import { SET_NAME, type CuratedSet, type CuratedSetSummary, type CurationCandidate } from './curated-set'
import { exportWhats, type ExportResult } from './export'
import type { GeneratedRubric, GeneratedRubricSet } from './generated-rubric'
import type { ModelCache, ModelDownload } from './models'
import {
  defaultTrainingSpec,
  trainingHeads,
  trainingLabels,
  type TrainedHead,
  type TrainingComparison,
  type TrainingJob,
} from './training'
import {
  analysisTables,
  criterionFilters,
  type AnalysisRows,
  type AnalysisJudge,
  type AnalysisSummary,
  type RubricAnalysis,
} from './analysis'
import {
  judgeDevices,
  judgeProtocols,
  modelDtypes,
  type JudgeJob,
  type JudgeSetup,
  type PairJudgements,
  type RubricJudgements,
} from './judge'

export * from './contract-names'

export interface AppInfo {
  version: string
  transport: 'ipc' | 'serve' | 'cli'
  /** The run open in this session, if any. */
  runPath: string | null
}

const id = z.string().min(1).max(QUERY_LIMITS.id)
const setName = z
  .string()
  .regex(SET_NAME, 'a set name is 1–80 letters, digits, spaces, dots, dashes or underscores')
const setFilters = z
  .object({
    judge: z.string().min(1).max(2000).nullable().default(null),
    minAccuracy: z.number().min(0).max(1).nullable().default(null),
    minHumanAccuracy: z.number().min(0).max(1).nullable().default(null),
    formatValid: z.boolean().nullable().default(null),
    taskType: z.string().min(1).max(200).nullable().default(null),
    step: z.number().nullable().default(null),
    dropFlag: z.enum(criterionFlags).nullable().default(null),
    dropMarks: z
      .array(z.enum(['load-bearing', 'redundant', 'harmful']))
      .max(3)
      .default([]),
  })
  .strict()
const paging = {
  offset: z.number().int().min(0).default(0),
  limit: z.number().int().min(1).max(10_000).default(200),
}

const annotator = z.string().min(1).max(MAX_ANNOTATOR_CHARS)
const gap = z.number().finite().min(-QUERY_LIMITS.gap).max(QUERY_LIMITS.gap)

/** The pair table's query (see pair-query.ts); every field optional. */
const pairQuery = {
  checkpoint: id.optional(),
  promptId: id.optional(),
  gapMin: gap.optional(),
  gapMax: gap.optional(),
  taskType: z.string().min(1).max(QUERY_LIMITS.text).optional(),
  outcomes: z.array(z.enum(verdictOutcomes)).max(verdictOutcomes.length).optional(),
  annotation: z.enum(annotationStates).optional(),
  search: z.string().max(QUERY_LIMITS.search).optional(),
  regex: z.boolean().optional(),
  sort: z.enum(pairSortKeys).optional(),
  desc: z.boolean().optional(),
}

const folderPath = z.string().min(1).max(4096)

/** Which pairs a judge job covers. */
const judgeSelection = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('run') }).strict(),
  z.object({ kind: z.literal('query'), query: z.object(pairQuery).strict() }).strict(),
  z.object({ kind: z.literal('queue'), id }).strict(),
])

const judgeEndpoint = z
  .object({
    url: z.string().min(1).max(2048),
    modelName: z.string().min(1).max(300),
    /** The name of the variable holding the key; the key itself never crosses the contract. */
    apiKeyEnv: z
      .string()
      .regex(/^[A-Z][A-Z0-9_]*_API_KEY$/, 'must be upper case and end in _API_KEY')
      .nullable()
      .default(null),
    concurrency: z.number().int().min(1).max(256).default(8),
    timeoutS: z.number().min(0.1).max(3600).default(120),
    retries: z.number().int().min(0).max(20).default(4),
  })
  .strict()

export const judgeJobArgs = z
  .object({
    /** A local model folder; null for the bundled smoke-test judge. */
    model: folderPath.nullable().default(null),
    /** An OpenAI-compatible server instead of a local model. */
    endpoint: judgeEndpoint.nullable().default(null),
    dtype: z.enum(modelDtypes).default('fp32'),
    protocol: z.enum(judgeProtocols),
    /** A template file; null for the protocol's bundled template. */
    template: folderPath.nullable().default(null),
    rubric: z.boolean().default(true),
    /** Generated rubrics to judge under; null for the run's own. */
    rubricSet: z
      .object({ generator: z.string().min(1).max(400), template: z.string().min(1).max(100) })
      .strict()
      .nullable()
      .default(null),
    device: z.enum(judgeDevices).default('auto'),
    /** Sequences per forward pass; null: 1 on CPU, 8 on a GPU. */
    batch: z.number().int().min(1).max(256).nullable().default(null),
    prefixCache: z.boolean().default(true),
    /** The first N pairs of the selection. */
    limit: z.number().int().min(1).max(100_000_000).nullable().default(null),
    seed: z
      .number()
      .int()
      .min(0)
      .max(2 ** 32 - 1)
      .default(0),
    selection: judgeSelection.default({ kind: 'run' }),
  })
  .strict()

/** A training job's settings; epochs, learning rate and batch left null take the head's defaults. */
export const trainingArgs = z
  .object({
    head: z.enum(trainingHeads),
    labels: z.enum(trainingLabels).default('temporal'),
    /** Criteria head: the judge setting to learn from; null: the first that scored criteria. */
    judge: z.string().min(1).max(2000).nullable().default(null),
    /** Reward head: the model folder that embeds responses; null: the smoke-test judge. */
    model: folderPath.nullable().default(null),
    dtype: z.enum(modelDtypes).default('fp32'),
    device: z.enum(judgeDevices).default('cpu'),
    epochs: z.number().int().min(1).max(10_000).nullable().default(null),
    seed: z
      .number()
      .int()
      .min(0)
      .max(2 ** 32 - 1)
      .default(defaultTrainingSpec.seed),
    lr: z.number().positive().max(10).nullable().default(null),
    validShare: z.number().min(0.05).max(0.9).default(defaultTrainingSpec.validShare),
    patience: z.number().int().min(1).max(1000).default(defaultTrainingSpec.patience),
    batch: z.number().int().min(1).max(4096).nullable().default(null),
  })
  .strict()

interface MethodSpec<A extends z.ZodType, R> {
  args: A
  /** Phantom: carries the result type only. */
  result?: R
}
function method<R>() {
  return <A extends z.ZodType>(args: A): MethodSpec<A, R> => ({ args })
}

export const methods = {
  'app.info': method<AppInfo>()(z.object({}).strict()),
  'run.open': method<RunSummary>()(z.object({ path: z.string().min(1).max(4096) }).strict()),
  'run.summary': method<RunSummary>()(z.object({}).strict()),
  'run.errors': method<Page<ReadIssue>>()(z.object(paging).strict()),
  'checkpoints.list': method<Checkpoint[]>()(z.object({}).strict()),
  'pairs.list': method<PairPage>()(z.object({ ...paging, ...pairQuery }).strict()),
  'pairs.get': method<PairDetail>()(z.object({ id }).strict()),
  /** Where a pair sits in a query's order: previous and next for j/k on a pair page. */
  'pairs.neighbors': method<PairNeighbors>()(z.object({ id, ...pairQuery }).strict()),
  'pairs.facets': method<PairFacets>()(z.object({}).strict()),
  'timeline.stats': method<TimelineStats>()(z.object({}).strict()),
  'prompts.list': method<Page<PromptSummary>>()(z.object(paging).strict()),
  'prompts.get': method<PromptDetail>()(z.object({ id }).strict()),
  'rubrics.get': method<RubricDetail>()(z.object({ id }).strict()),
  'rubrics.lineage': method<RubricLineage>()(z.object({ promptId: id }).strict()),
  /** Save a label; the answer comes once it is durable on disk. The core stamps the time. */
  'annotations.save': method<Annotation>()(
    z
      .object({
        pairId: id,
        label: z.enum(labelValues),
        annotator,
        note: z.string().max(10_000).nullable().default(null),
        blind: z.boolean(),
        queue: id.nullable().default(null),
        ms: z.number().finite().min(0).max(1e10).nullable().default(null),
        criterionFlags: z.record(z.string().regex(/^\d{1,4}$/), z.enum(criterionFlags)).default({}),
      })
      .strict()
  ),
  'annotations.remove': method<{ removed: Annotation | null }>()(
    z.object({ pairId: id, annotator }).strict()
  ),
  'annotations.list': method<Page<Annotation>>()(
    z.object({ ...paging, annotator: annotator.optional() }).strict()
  ),
  /** Everyone who has labelled in this workspace, with how many labels each. */
  'annotations.annotators': method<{ name: string; labels: number }[]>()(z.object({}).strict()),
  /** What annotators flagged on a rubric's criteria, over the pairs judged under it. */
  'annotations.criterionFlags': method<CriterionFlagCounts>()(z.object({ rubricId: id }).strict()),
  'queues.create': method<AuditQueueSummary>()(
    z
      .object({
        name: z.string().trim().min(1).max(100),
        strategy: z.enum(queueStrategies),
        size: z.number().int().min(1).max(1_000_000),
        seed: z
          .number()
          .int()
          .min(0)
          .max(2 ** 32 - 1),
      })
      .strict()
  ),
  'queues.list': method<AuditQueueSummary[]>()(z.object({}).strict()),
  'audit.report': method<AuditReport>()(z.object({}).strict()),
  /** A queue with one annotator's labels on its pairs (to resume where they left off). */
  'queues.get': method<{ queue: AuditQueue; labels: Record<string, Annotation> }>()(
    z.object({ id, annotator: annotator.optional() }).strict()
  ),
  'responses.get': method<Response>()(z.object({ id }).strict()),
  /** Rubrics the workbench generated for a prompt (`rubrics generate`), kept in the workspace. */
  'rubrics.generated': method<GeneratedRubric[]>()(z.object({ promptId: id }).strict()),
  /** The generated rubric sets of this workspace (generator × template), to judge under. */
  'rubrics.generatedSets': method<GeneratedRubricSet[]>()(z.object({}).strict()),
  /** The local model cache and the downloads in progress. */
  'models.list': method<ModelCache>()(z.object({}).strict()),
  /** Starts (or resumes) downloading a model folder from a hub; progress comes as events. */
  'models.pull': method<ModelDownload>()(
    z
      .object({
        repo: z
          .string()
          .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*\/[A-Za-z0-9][A-Za-z0-9._-]*$/, 'expected owner/name'),
        revision: z.string().min(1).max(200).default('main'),
        include: z.array(z.string().min(1).max(200)).max(50).default([]),
        hub: z.string().url().max(500).nullable().default(null),
      })
      .strict()
  ),
  'models.cancel': method<{ cancelled: boolean }>()(z.object({ repo: z.string().min(1).max(300) }).strict()),
  /** The analyses' headline figures: each judge overall, clusters, transfer, agreement, length bias. */
  'analysis.summary': method<AnalysisSummary>()(z.object({}).strict()),
  /** The judge settings with results in this workspace (for pickers: cheaper than the summary). */
  'analysis.judges': method<AnalysisJudge[]>()(z.object({}).strict()),
  /** A page of one analysis table (per rubric, per criterion, per criterion for two judges, wrong answers), sorted. */
  'analysis.rows': method<AnalysisRows>()(
    z
      .object({
        table: z.enum(analysisTables),
        judge: z.string().min(1).max(2000).optional(),
        other: z.string().min(1).max(2000).optional(),
        rubricId: id.optional(),
        filter: z.enum(criterionFilters).optional(),
        sort: z
          .string()
          .regex(/^[A-Za-z]{1,40}$/)
          .optional(),
        desc: z.boolean().optional(),
        offset: z.number().int().min(0).optional(),
        limit: z.number().int().min(1).max(1_000_000).optional(),
      })
      .strict()
  ),
  /** The figures beside one rubric: its utility per judge and its criteria's. */
  'analysis.rubric': method<RubricAnalysis>()(z.object({ rubricId: id }).strict()),
  /** Rubrics the filters let through, with the criteria they drop, a page at a time. */
  'curation.candidates': method<Page<CurationCandidate>>()(
    z
      .object({
        filters: setFilters,
        offset: z.number().int().min(0).default(0),
        limit: z.number().int().min(1).max(1000).default(50),
      })
      .strict()
  ),
  'curation.sets': method<CuratedSetSummary[]>()(z.object({}).strict()),
  'curation.get': method<CuratedSet>()(z.object({ name: setName }).strict()),
  /** Saves (or replaces) a set: the filters' rubrics, hand changes and criterion edits. */
  'curation.save': method<CuratedSet>()(
    z
      .object({
        name: setName,
        filters: setFilters,
        added: z.array(id).max(100_000).default([]),
        removed: z.array(id).max(100_000).default([]),
        excluded: z
          .array(z.object({ rubricId: id, criterion: z.number().int().min(0).max(10_000) }).strict())
          .max(100_000)
          .default([]),
        edits: z
          .array(
            z
              .object({
                rubricId: id,
                criterion: z.number().int().min(0).max(10_000),
                field: z.enum(['text', 'weight']),
                from: z.union([z.string().max(10_000), z.number(), z.null()]),
                to: z.union([z.string().max(10_000), z.number(), z.null()]),
                time: z.string().max(40),
                by: z.string().min(1).max(200).optional(),
              })
              .strict()
          )
          .max(100_000)
          .default([]),
      })
      .strict()
  ),
  'curation.delete': method<{ removed: boolean }>()(z.object({ name: setName }).strict()),
  /**
   * A criteria head's learned weights written into a set as weight edits marked with the head;
   * they replace any head's earlier ones. `head: null` removes the learned edits.
   */
  'curation.applyWeights': method<{ set: CuratedSet; edits: number; rubrics: number }>()(
    z.object({ name: setName, head: id.nullable() }).strict()
  ),
  /** Writes an export on the machine the core runs on, outside the run folder. */
  'export.run': method<ExportResult>()(
    z
      .object({
        what: z.enum(exportWhats),
        format: z.string().min(1).max(20),
        out: z.string().min(1).max(4096),
        force: z.boolean().default(false),
        set: setName.nullable().default(null),
      })
      .strict()
  ),
  /** Models, templates and devices a judge job can use. */
  'judge.setup': method<JudgeSetup>()(z.object({}).strict()),
  'judge.start': method<JudgeJob>()(judgeJobArgs),
  'judge.jobs': method<JudgeJob[]>()(z.object({}).strict()),
  'judge.cancel': method<JudgeJob>()(z.object({ id }).strict()),
  'judge.resume': method<JudgeJob>()(z.object({ id }).strict()),
  /** What a job's judge process wrote (kept while the workbench runs), oldest first. */
  'judge.log': method<{ lines: string[] }>()(z.object({ id }).strict()),
  /** Local verdicts on a pair, per judge setting, with the rubric's effect. */
  'judge.pair': method<PairJudgements>()(z.object({ pairId: id }).strict()),
  /** Local verdicts given under a rubric, per judge setting. */
  'judge.rubric': method<RubricJudgements>()(z.object({ rubricId: id }).strict()),
  /** Starts a training job (queued behind the one running); its curve comes as events. */
  'training.start': method<TrainingJob>()(trainingArgs),
  'training.jobs': method<TrainingJob[]>()(z.object({}).strict()),
  'training.cancel': method<TrainingJob>()(z.object({ id }).strict()),
  'training.resume': method<TrainingJob>()(z.object({ id }).strict()),
  /** What a training job's process wrote (kept while the workbench runs), oldest first. */
  'training.log': method<{ lines: string[] }>()(z.object({ id }).strict()),
  /** Saved heads, newest first, and the metadata files that could not be read. */
  'training.heads': method<{ heads: TrainedHead[]; problems: string[] }>()(z.object({}).strict()),
  /** Puts a saved head aside in the workspace's `training/removed/` (move its files back to restore it). */
  'training.removeHead': method<TrainedHead>()(z.object({ id }).strict()),
  /** One saved head reloaded from its files. */
  'training.head': method<TrainedHead>()(z.object({ id }).strict()),
  /** Judges and heads on the human-labelled pairs that a seed and share hold out. */
  'training.compare': method<TrainingComparison>()(
    z
      .object({
        seed: z
          .number()
          .int()
          .min(0)
          .max(2 ** 32 - 1),
        validShare: z.number().min(0.05).max(0.9),
      })
      .strict()
  ),
} as const satisfies Record<MethodName, MethodSpec<z.ZodType, unknown>>

export const events = {
  /** Indexing progress while a run opens. */
  'run.progress': z.object({
    path: z.string(),
    file: z.string(),
    bytesRead: z.number(),
    bytesTotal: z.number(),
  }),
  'run.opened': z.custom<RunSummary>(),
  /** A judge job changed state or made progress. */
  'judge.progress': z.custom<JudgeJob>(),
  /** A training job changed state, made progress or ended an epoch. */
  'training.progress': z.custom<TrainingJob>(),
  /** A model download made progress or ended. */
  'models.progress': z.custom<ModelDownload>(),
} as const satisfies Record<EventName, z.ZodType>

export type MethodArgs<M extends MethodName> = z.input<(typeof methods)[M]['args']>
export type ParsedArgs<M extends MethodName> = z.output<(typeof methods)[M]['args']>
export type MethodResult<M extends MethodName> = NonNullable<(typeof methods)[M]['result']>
export type EventPayload<E extends EventName> = z.output<(typeof events)[E]>

/** What a client sees of the API, whatever the transport. */
export type Api = { [M in MethodName]: (args: MethodArgs<M>) => Promise<MethodResult<M>> }

export type ApiErrorCode = 'bad-request' | 'not-found' | 'no-run' | 'not-a-run' | 'internal'

export class ApiError extends Error {
  constructor(
    readonly code: ApiErrorCode,
    message: string
  ) {
    super(message)
    this.name = 'ApiError'
  }
}

/** Turn a schema failure into one readable sentence naming the method and the fields. */
export function describeIssues(methodName: string, error: z.ZodError): string {
  const parts = error.issues.map((issue) => {
    const where = issue.path.length > 0 ? issue.path.join('.') : 'arguments'
    return `${where}: ${issue.message}`
  })
  return `${methodName}: invalid arguments (${parts.join('; ')})`
}

// Wire messages of the serve bridge (JSON over WebSocket).
export interface WireRequest {
  id: number
  method: string
  args: unknown
}
export type WireResponse =
  | { id: number; ok: true; result: unknown }
  | { id: number; ok: false; error: { code: ApiErrorCode; message: string } }
export interface WireEvent {
  event: EventName
  payload: unknown
}
