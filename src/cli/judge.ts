// `rubric-workbench judge PATH --protocol P [...]`: score a run's pairs with a local judge, as one
// job in the run's workspace. A rerun skips what is done, so an interrupted run is resumed by
// running the same command again. With --json the last line is
// {"scored", "skipped", "failed", "seconds", "device"}.
import { judgeJobArgs } from '../shared/contract'
import { dispatch } from '../core/api/dispatch'
import type { JudgeJob } from '../shared/judge'
import { modelOptionsProblem } from './model-options'
import { openWorkbench, type Print, type RunOptions } from './open-workbench'

export interface JudgeOptions extends RunOptions {
  model?: string
  endpoint?: string
  modelName?: string
  apiKeyEnv?: string
  concurrency?: number
  timeout?: number
  retries?: number
  protocol: string
  template?: string
  rubric: boolean
  device: string
  dtype: string
  batch?: number
  prefixCache: boolean
  limit?: number
  seed: number
  queue?: string
  checkpoint?: string
  generatedRubrics?: string
  generator?: string
  json?: boolean
}

/** Exit status: 0 all judged, 1 some items failed, 2 the job could not run or was stopped. */
export async function judgeCommand(
  path: string,
  options: JudgeOptions,
  out: Print,
  err: Print,
  stream: NodeJS.WriteStream = process.stderr
): Promise<number> {
  const problem = modelOptionsProblem(options, 'judge')
  if (problem !== null) {
    err(`rubric-workbench: ${problem}`)
    return 2
  }
  const spec = judgeJobArgs.safeParse({
    model: options.model ?? null,
    endpoint:
      options.endpoint === undefined
        ? null
        : {
            url: options.endpoint,
            modelName: options.modelName,
            apiKeyEnv: options.apiKeyEnv ?? null,
            ...(options.concurrency !== undefined && { concurrency: options.concurrency }),
            ...(options.timeout !== undefined && { timeoutS: options.timeout }),
            ...(options.retries !== undefined && { retries: options.retries }),
          },
    protocol: options.protocol,
    template: options.template ?? null,
    rubric: options.rubric,
    device: options.device,
    dtype: options.dtype,
    batch: options.batch ?? null,
    prefixCache: options.prefixCache,
    limit: options.limit ?? null,
    seed: options.seed,
    selection:
      options.queue !== undefined
        ? { kind: 'queue', id: options.queue }
        : options.checkpoint !== undefined
          ? { kind: 'query', query: { checkpoint: options.checkpoint } }
          : { kind: 'run' },
  })
  if (!spec.success) {
    err(`rubric-workbench: ${spec.error.issues.map((i) => `--${i.path.join('.')}: ${i.message}`).join('; ')}`)
    return 2
  }
  const bar = progressBar(stream)
  const wb = await openWorkbench(path, options, err, (event, payload) => {
    if (event === 'judge.progress') bar.update(payload as JudgeJob)
  })
  if (wb === null) return 2
  if (options.generatedRubrics !== undefined) {
    // The generated set: the template's, from the one generator that wrote it (or the one named).
    const sets = (await wb.handlers['rubrics.generatedSets']({})).filter(
      (s) =>
        s.template === options.generatedRubrics &&
        (options.generator === undefined || s.generator === options.generator)
    )
    if (sets.length !== 1) {
      err(
        sets.length === 0
          ? `rubric-workbench: no ${options.generatedRubrics} rubrics${options.generator === undefined ? '' : ` from ${options.generator}`} in this workspace (rubric-workbench rubrics generate PATH --template …)`
          : `rubric-workbench: ${options.generatedRubrics} rubrics come from several generators; name one with --generator (${sets.map((s) => s.generator).join(', ')})`
      )
      await wb.close()
      return 2
    }
    spec.data.rubricSet = {
      generator: (sets[0] as (typeof sets)[number]).generator,
      template: options.generatedRubrics,
    }
  }
  const started = performance.now()
  let job: JudgeJob
  let interrupts = 0
  const onSigint = (): void => {
    if (++interrupts > 1) process.exit(130)
    err('cancelling after the current batch (Ctrl-C again to quit at once); finished results are kept')
    void wb.handlers['judge.cancel']({ id: job.id })
  }
  try {
    job = (await dispatch(wb.handlers, 'judge.start', spec.data)) as JudgeJob
    process.on('SIGINT', onSigint)
    const jobs = await wb.judgeJobs()
    await jobs.idle()
    job = jobs.get(job.id) ?? job
  } catch (error) {
    err(`rubric-workbench: ${(error as Error).message}`)
    await wb.close()
    return 2
  } finally {
    process.off('SIGINT', onSigint)
    bar.done()
  }
  await wb.close()
  const seconds = (performance.now() - started) / 1000
  if (job.device !== null) {
    const why = job.device.notes.length > 0 ? ` (${job.device.notes.join('; ')})` : ''
    err(`device: ${job.device.used}${why}`)
  }
  if (job.message !== null) err(`${job.state === 'done' ? 'note' : job.state}: ${job.message}`)
  const summary = {
    scored: job.scored,
    skipped: job.skipped,
    failed: job.failed,
    seconds: round(seconds),
    device: job.device?.used ?? null,
  }
  if (options.json === true) out(JSON.stringify(summary))
  else
    out(
      `${job.state}: judged ${job.scored} item${job.scored === 1 ? '' : 's'} with ${job.judge ?? 'the judge'}, skipped ${job.skipped} already done, ${job.failed} failed, in ${summary.seconds} s`
    )
  if (job.state !== 'done') return 2
  return job.failed > 0 ? 1 : 0
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000
}

/** One line on a terminal: state, bar, counts, rate and time left. Nothing when piped. */
function progressBar(stream: NodeJS.WriteStream): { update(job: JudgeJob): void; done(): void } {
  if (!stream.isTTY) return { update: () => {}, done: () => {} }
  let shown = false
  return {
    update(job) {
      const finished = job.scored + job.failed + job.skipped
      const fraction = job.total > 0 ? finished / job.total : 0
      const width = 24
      const filled = Math.round(fraction * width)
      const rate = job.rate === null ? '' : ` ${job.rate.toFixed(1)} items/s`
      const left = job.remainingS === null ? '' : ` ${Math.ceil(job.remainingS)} s left`
      stream.write(
        `\r\x1b[K${job.state} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${finished}/${job.total}${rate}${left}`
      )
      shown = true
    },
    done() {
      if (shown) stream.write('\r\x1b[K')
    },
  }
}
