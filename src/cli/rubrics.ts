// `rubric-workbench rubrics generate PATH`: K rubrics per prompt from a local model or an
// OpenAI-compatible endpoint, with the v2 or v3 template (or an edited copy), each checked with
// the EvoLM format rule and kept in the run's workspace. A rerun writes only what is missing. With
// --json the last line is {"generated", "skipped", "valid", "invalid", "failed", "seconds"}.
import type { JudgeDevice, ModelDtype } from '../shared/judge'
import { smokeTestModelDir } from '../core/resources'
import { readGeneratorTemplate } from '../core/rubrics/generator-template'
import { modelOptionsProblem } from './model-options'
import { openWorkbench, type Print, type RunOptions } from './open-workbench'

export interface GenerateOptions extends RunOptions {
  model?: string
  endpoint?: string
  modelName?: string
  apiKeyEnv?: string
  concurrency?: number
  template: string
  k: number
  limit?: number
  seed: number
  dtype: ModelDtype
  device: JudgeDevice
  json?: boolean
}

export async function rubricsGenerateCommand(
  path: string,
  options: GenerateOptions,
  out: Print,
  err: Print,
  stream: NodeJS.WriteStream = process.stderr
): Promise<number> {
  const problem = modelOptionsProblem(options, 'generator')
  if (problem !== null) {
    err(`rubric-workbench: ${problem}`)
    return 2
  }
  let template
  try {
    template = await readGeneratorTemplate(options.template)
  } catch (error) {
    err(`rubric-workbench: ${(error as Error).message}`)
    return 2
  }
  const wb = await openWorkbench(path, options, err)
  if (wb === null) return 2
  const abort = new AbortController()
  const onSigint = (): void => {
    err('stopping after the rubrics being written; what is done is kept')
    abort.abort()
  }
  process.once('SIGINT', onSigint)
  const tty = stream.isTTY
  try {
    const summary = await wb.generateRubrics({
      k: options.k,
      seed: options.seed,
      limit: options.limit ?? null,
      template,
      signal: abort.signal,
      generator:
        options.endpoint !== undefined
          ? {
              endpoint: {
                url: options.endpoint,
                modelName: options.modelName as string,
                apiKeyEnv: options.apiKeyEnv ?? null,
                concurrency: options.concurrency ?? 8,
                timeoutS: 300,
                retries: 4,
              },
            }
          : { model: options.model ?? smokeTestModelDir, dtype: options.dtype, device: options.device },
      onProgress: (done, total) => {
        if (tty) stream.write(`\r\x1b[Kgenerating rubrics ${done}/${total}`)
      },
    })
    if (tty) stream.write('\r\x1b[K')
    const { generator, ...figures } = summary
    const line = { ...figures, seconds: Math.round(figures.seconds * 1000) / 1000 }
    if (options.json === true) out(JSON.stringify(line))
    else
      out(
        `${generator} wrote ${line.generated} rubrics (${line.valid} pass the format rule, ${line.invalid} do not), ${line.skipped} were already there, ${line.failed} failed, in ${line.seconds} s`
      )
    return line.failed > 0 ? 1 : 0
  } catch (error) {
    if (tty) stream.write('\r\x1b[K')
    err(`rubric-workbench: ${(error as Error).message}`)
    return 2
  } finally {
    process.off('SIGINT', onSigint)
    await wb.close()
  }
}
