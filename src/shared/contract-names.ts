// The names in the API contract, apart from its schemas: the preload script and the renderer
// need the names but must not load the schema library. contract.ts checks that its methods and
// events are exactly these.

export const methodNames = [
  'app.info',
  'run.open',
  'run.summary',
  'run.errors',
  'checkpoints.list',
  'pairs.list',
  'pairs.get',
  'pairs.neighbors',
  'pairs.facets',
  'timeline.stats',
  'prompts.list',
  'prompts.get',
  'rubrics.get',
  'rubrics.lineage',
  'annotations.save',
  'annotations.remove',
  'annotations.list',
  'annotations.annotators',
  'annotations.criterionFlags',
  'queues.create',
  'queues.list',
  'queues.get',
  'audit.report',
  'responses.get',
  'rubrics.generated',
  'rubrics.generatedSets',
  'models.list',
  'models.pull',
  'models.cancel',
  'analysis.summary',
  'analysis.judges',
  'analysis.rows',
  'analysis.rubric',
  'curation.candidates',
  'curation.save',
  'curation.sets',
  'curation.get',
  'curation.applyWeights',
  'export.run',
  'curation.delete',
  'judge.setup',
  'judge.start',
  'judge.jobs',
  'judge.cancel',
  'judge.resume',
  'judge.log',
  'judge.pair',
  'judge.rubric',
  'training.start',
  'training.jobs',
  'training.cancel',
  'training.resume',
  'training.log',
  'training.heads',
  'training.head',
  'training.removeHead',
  'training.compare',
] as const

export const eventNames = [
  'run.progress',
  'run.opened',
  'judge.progress',
  'training.progress',
  'models.progress',
] as const

export type MethodName = (typeof methodNames)[number]
export type EventName = (typeof eventNames)[number]

export function isMethodName(name: unknown): name is MethodName {
  return typeof name === 'string' && (methodNames as readonly string[]).includes(name)
}
export function isEventName(name: unknown): name is EventName {
  return typeof name === 'string' && (eventNames as readonly string[]).includes(name)
}

/** IPC channel names: one per method, one for all events. */
export const ipcChannel = (name: MethodName): string => `rw:${name}`
export const ipcEventChannel = 'rw:event'
