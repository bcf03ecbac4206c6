// Generating K rubrics per prompt with a local model (in the judge host process) or an
// OpenAI-compatible endpoint, each parsed and checked with the EvoLM format rule and kept in the
// workspace. Sampling is seeded per (generator, template, prompt, sample), so a rerun writes the
// same rubrics, and only the missing ones.
import type { GeneratedRubric, RubricGenerationSummary } from '../../shared/generated-rubric'
import { createHash } from 'node:crypto'
import { fnv1a } from '../../shared/hash'
import type { JudgeEndpoint, ModelDtype } from '../../shared/judge'
import { parseRubric } from '../../shared/rubric-format'
import type { RunIndex } from '../run/run-index'
import { EndpointClient, endpointJudgeId } from '../judge/endpoint-judge'
import type { GenerateRequest, Generated } from '../judge/host-protocol'
import { JudgeHost } from '../judge/judge-host'
import { fill } from '../judge/judge-template'
import { inspectModel, judgeId } from '../judge/model-folder'
import type { GeneratedRubrics } from './generated-rubrics'
import type { GeneratorTemplate } from './generator-template'

export interface GenerationOptions {
  index: RunIndex
  store: GeneratedRubrics
  /** Prompt indices, in order. */
  prompts: number[]
  k: number
  seed: number
  template: GeneratorTemplate
  generator:
    | { model: string; dtype: ModelDtype; device: 'auto' | 'cpu' | 'webgpu' | 'cuda' }
    | { endpoint: JudgeEndpoint }
  env?: NodeJS.ProcessEnv
  onProgress?: (done: number, total: number) => void
  onLog?: (line: string) => void
  signal?: AbortSignal
}

const CHUNK = 8

export async function generateRubrics(
  options: GenerationOptions
): Promise<RubricGenerationSummary & { generator: string }> {
  const started = performance.now()
  const { template } = options
  const local = 'model' in options.generator ? options.generator : null
  const endpoint = 'endpoint' in options.generator ? options.generator.endpoint : null
  const generator =
    local !== null
      ? judgeId(await inspectModel(local.model), local.dtype)
      : endpointJudgeId(endpoint as JudgeEndpoint)
  const requests: (GenerateRequest & { promptId: string; sample: number })[] = []
  let skipped = 0
  for (const p of options.prompts) {
    const prompt = options.index.prompts[p]
    if (prompt === undefined) continue
    for (let sample = 0; sample < options.k; sample++) {
      const key = JSON.stringify([
        generator,
        `${template.name}@${template.version}`,
        options.seed,
        prompt.id,
        sample,
      ])
      if (options.store.done(key)) {
        skipped++
        continue
      }
      const user = fill(template.user, { prompt: prompt.text, reference: prompt.reference ?? '' })
      requests.push({
        key,
        promptId: prompt.id,
        sample,
        messages: [
          ...(template.system === null ? [] : [{ role: 'system' as const, content: template.system }]),
          { role: 'user', content: user },
        ],
        chatOptions: template.chatOptions,
        maxNewTokens: template.maxNewTokens,
        temperature: template.temperature,
        seed: (fnv1a(key) ^ options.seed) >>> 0,
      })
    }
  }
  const summary: RubricGenerationSummary = {
    generated: 0,
    skipped,
    valid: 0,
    invalid: 0,
    failed: 0,
    seconds: 0,
  }
  const byKey = new Map(requests.map((r) => [r.key, r]))
  const pending: GeneratedRubric[] = []
  const record = (g: Generated): void => {
    const r = byKey.get(g.key)
    // A request cut by a cancel is not a failed rubric: it is simply not written yet.
    if (r === undefined || options.signal?.aborted === true) return
    if (g.error === null && (g.text ?? '').trim() === '')
      g = {
        ...g,
        text: null,
        error: 'the generator wrote nothing (a reasoning model may answer in another field)',
      }
    const parsed = g.text === null ? null : parseRubric(g.text)
    const rubric: GeneratedRubric = {
      id: `gen-${createHash('sha256').update(g.key).digest('hex').slice(0, 16)}`,
      key: g.key,
      promptId: r.promptId,
      generator,
      template: template.name,
      templateVersion: template.version,
      sample: r.sample,
      seed: r.seed,
      raw: g.text,
      criteria: parsed?.criteria?.length ?? 0,
      formatValid: parsed?.formatValid ?? false,
      invalidReason: g.error ?? parsed?.invalidReason ?? null,
      error: g.error,
      time: new Date().toISOString(),
    }
    pending.push(rubric)
    if (g.error !== null) summary.failed++
    else {
      summary.generated++
      if (rubric.formatValid) summary.valid++
      else summary.invalid++
    }
    options.onProgress?.(summary.generated + summary.failed, requests.length)
  }
  // Flushes run one after another, each writing what is pending when its turn comes.
  let flushing: Promise<void> = Promise.resolve()
  const flush = (): Promise<void> =>
    (flushing = flushing.then(async () => {
      const batch = pending.slice()
      await options.store.append(batch)
      pending.splice(0, batch.length)
    }))
  if (requests.length > 0) {
    if (local !== null) {
      const host = new JudgeHost((line) => options.onLog?.(line))
      const stop = (): void => host.cancel()
      options.signal?.addEventListener('abort', stop)
      try {
        await host.load(local.model, local.device, local.dtype)
        for (let at = 0; at < requests.length && options.signal?.aborted !== true; at += CHUNK) {
          await host.generate(requests.slice(at, at + CHUNK), record)
          await flush()
        }
      } finally {
        options.signal?.removeEventListener('abort', stop)
        try {
          await flush()
        } finally {
          await host.close()
        }
      }
    } else {
      const client = new EndpointClient(endpoint as JudgeEndpoint, options.env ?? process.env, {
        signal: options.signal,
        log: options.onLog,
      })
      let next = 0
      let writeFailed = false
      const worker = async (): Promise<void> => {
        while (next < requests.length && options.signal?.aborted !== true && !writeFailed) {
          const r = requests[next++] as (typeof requests)[number]
          try {
            const response = await client.chat({
              messages: r.messages,
              max_tokens: r.maxNewTokens,
              temperature: r.temperature,
              seed: r.seed,
              ...(Object.keys(r.chatOptions).length > 0 && { chat_template_kwargs: r.chatOptions }),
            })
            record({ key: r.key, text: response.choices[0]?.message?.content ?? '', tokens: 0, error: null })
          } catch (error) {
            record({ key: r.key, text: null, tokens: 0, error: (error as Error).message })
          }
          if (pending.length >= CHUNK)
            await flush().catch((error: unknown) => {
              // A failed write stops every worker, not just the one that saw it.
              writeFailed = true
              throw error
            })
        }
      }

      try {
        await Promise.all(
          Array.from({ length: Math.min(requests.length, (endpoint as JudgeEndpoint).concurrency) }, worker)
        )
      } finally {
        await flush()
      }
    }
  }
  summary.seconds = (performance.now() - started) / 1000
  return { ...summary, generator }
}
