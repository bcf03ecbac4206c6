// `rubric-workbench train PATH --head criteria|reward [--labels temporal|human] [--judge ID]
// [--model DIR] [--device …] [--epochs N] [--seed N] [--lr R] [--json]`: runs a training job on the
// run (in the judge host process, as the app does) and saves the head in the workspace. Prints a
// line per epoch on stderr; the last stdout line is one JSON object with the metrics and the
// saved model's path. Ctrl-C cancels (nothing is saved; embeddings made so far are kept).
import { dispatch } from '../core/api/dispatch'
import { trainingArgs, type EventPayload } from '../shared/contract'
import type { TrainingJob } from '../shared/training'
import { figureLine } from './utility-format'
import { openWorkbench, type Print, type RunOptions } from './open-workbench'

export type TrainOptions = RunOptions & {
  head: 'criteria' | 'reward'
  labels: 'temporal' | 'human'
  judge?: string
  model?: string
  dtype: string
  device: string
  epochs?: string
  seed: string
  lr?: string
  batch?: string
  json?: boolean
}

/** A loss as printed; a dash where none was measured (nothing held out) or it was not finite. */
const loss = (x: number | null): string => (x === null ? '—' : x.toFixed(4))

const numberOrNull = (text: string | undefined): number | null => (text === undefined ? null : Number(text))

export async function trainCommand(
  path: string,
  options: TrainOptions,
  out: Print,
  err: Print
): Promise<number> {
  const spec = trainingArgs.safeParse({
    head: options.head,
    labels: options.labels,
    judge: options.judge ?? null,
    model: options.model ?? null,
    dtype: options.dtype,
    device: options.device,
    epochs: numberOrNull(options.epochs),
    seed: Number(options.seed),
    lr: numberOrNull(options.lr),
    batch: numberOrNull(options.batch),
  })
  if (!spec.success) {
    const problems = spec.error.issues.map((i) => {
      const field = String(i.path[0] ?? 'arguments')
      return `--${field}: ${i.code === 'invalid_type' ? 'must be a number' : i.message}`
    })
    err(`rubric-workbench: ${problems.join('; ')}`)
    return 2
  }
  let shown = 0
  let lastEmbedLine = -1
  const wb = await openWorkbench(path, options, err, (event, payload) => {
    if (event !== 'training.progress') return
    const job = payload as EventPayload<'training.progress'>
    if (job.phase === 'embedding' && job.progress.total > 0) {
      // A line at every tenth of the way, so a log shows the embedding is moving.
      const tenth = Math.floor((10 * job.progress.done) / job.progress.total)
      if (tenth !== lastEmbedLine) {
        lastEmbedLine = tenth
        err(`embedding responses: ${job.progress.done}/${job.progress.total}`)
      }
    }
    for (const e of job.curve.slice(shown))
      err(
        `epoch ${e.epoch}: train loss ${loss(e.trainLoss)}, validation loss ${loss(e.validLoss)}, accuracy ${e.validAccuracy === null ? '—' : `${(e.validAccuracy * 100).toFixed(1)}%`}`
      )
    shown = Math.max(shown, job.curve.length)
  })
  if (wb === null) return 2
  let job: TrainingJob | null = null
  let interrupts = 0
  const onSigint = (): void => {
    if (++interrupts > 1) process.exit(130)
    err('cancelling after the current step (Ctrl-C again to quit at once); nothing is saved')
    if (job !== null) void wb.handlers['training.cancel']({ id: job.id })
  }
  try {
    job = (await dispatch(wb.handlers, 'training.start', spec.data)) as TrainingJob
    process.on('SIGINT', onSigint)
    const jobs = await wb.trainingJobs()
    await jobs.idle()
    job = jobs.get(job.id) ?? job
  } catch (error) {
    err(`rubric-workbench: ${(error as Error).message}`)
    return 2
  } finally {
    process.off('SIGINT', onSigint)
    await wb.close()
  }
  const result = job.result
  if (job.state !== 'done' || result === null) {
    err(`rubric-workbench: training ${job.state}: ${job.message ?? 'no reason given'}`)
    return job.state === 'cancelled' ? 130 : 2
  }
  if (result.device.notes.length > 0) err(`device: ${result.device.used} (${result.device.notes.join('; ')})`)
  if (options.json !== true) {
    out(
      `${result.head === 'criteria' ? 'criterion weights' : 'scalar reward head'} from ${result.source}, ${result.labels} labels, split by prompt: ${result.pairs.train} pairs to train, ${result.pairs.valid} to validate, on ${result.device.used}`
    )
    out(figureLine('held-out accuracy', result.validAccuracy))
    if (result.baselineAccuracy !== null)
      out(figureLine("held-out accuracy, the generator's weights", result.baselineAccuracy))
    for (const [cluster, m] of Object.entries(result.multipliers ?? {}))
      out(`  ${cluster}: × ${m.toFixed(3)}`)
    out(`saved ${result.model}`)
  }
  out(
    JSON.stringify({
      head: result.head,
      id: result.id,
      source: result.source,
      labels: result.labels,
      device: result.device.used,
      seed: result.seed,
      train_pairs: result.pairs.train,
      valid_pairs: result.pairs.valid,
      train_prompts: result.prompts.train,
      valid_prompts: result.prompts.valid,
      epochs: result.epochs,
      best_epoch: result.bestEpoch,
      valid_accuracy: result.validAccuracy,
      baseline_accuracy: result.baselineAccuracy,
      final_train_loss: result.curve.at(-1)?.trainLoss ?? null,
      final_valid_loss: result.curve.at(-1)?.validLoss ?? null,
      multipliers: result.multipliers,
      embedding: result.embedding,
      model: result.model,
      metadata: result.metadata,
    })
  )
  return 0
}
