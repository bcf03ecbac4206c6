// Judges served by an OpenAI-compatible endpoint (vLLM, SGLang, llama.cpp's server): the
// protocols mapped onto the Chat Completions API. Generation asks for text; the log-probability
// protocols ask for one token with `logprobs` and `top_logprobs` and read P(yes) or P(A) from
// them, so no local tokenizer is needed. Requests run a few at a time, with a timeout, and are
// retried with exponential backoff and jitter on 429, 5xx, timeouts and dropped connections;
// after that the item fails with the reason and the job goes on.
import { z } from 'zod'
import { fnv1a } from '../../shared/hash'
import { choiceProbability, parsePointwise, weightedScore, type JudgeEndpoint } from '../../shared/judge'
import { fill, type JudgeTemplate } from './judge-template'
import { emptyResult, failed, type ItemResult, type JudgeItem } from './protocols'

/** What a client needs of an endpoint: the job's endpoint settings. */
export type EndpointSettings = JudgeEndpoint

/**
 * Key variables a job may read. The request names the variable, and requests come from an
 * untrusted renderer: only *_API_KEY variables qualify (not cloud or git credentials), and a key
 * goes only over https or to this machine.
 */
export const API_KEY_ENV = /^[A-Z][A-Z0-9_]*_API_KEY$/

export class EndpointError extends Error {
  constructor(
    message: string,
    /** Worth another try: the server was busy, slow or cut the connection. */
    readonly transient: boolean
  ) {
    super(message)
    this.name = 'EndpointError'
  }
}

export function endpointJudgeId(settings: Pick<EndpointSettings, 'url' | 'modelName'>): string {
  let where = settings.url
  try {
    const u = new URL(settings.url)
    where = `${u.host}${u.pathname.replace(/\/+$/, '')}`
  } catch {
    // Refused when the client is made; the id only has to be stable.
  }
  return `${settings.modelName}@${where}`
}

const topLogprob = z.object({ token: z.string(), logprob: z.number() })
const completion = z.object({
  choices: z
    .array(
      z.object({
        message: z.object({ content: z.string().nullable().optional() }).optional(),
        logprobs: z
          .object({
            content: z
              .array(
                z.object({
                  token: z.string(),
                  logprob: z.number(),
                  top_logprobs: z.array(topLogprob).optional(),
                })
              )
              .nullable()
              .optional(),
          })
          .nullable()
          .optional(),
      })
    )
    .min(1),
})
export type Completion = z.infer<typeof completion>

export interface ChatRequest {
  messages: { role: string; content: string }[]
  max_tokens: number
  temperature: number
  seed?: number
  logprobs?: boolean
  top_logprobs?: number
  chat_template_kwargs?: Record<string, boolean>
}

export class EndpointClient {
  private readonly base: string
  private readonly headers: Record<string, string>
  /** Requests in flight, and those waiting for a slot (the concurrency limit). */
  private active = 0
  private readonly waiting: (() => void)[] = []

  constructor(
    readonly settings: EndpointSettings,
    env: NodeJS.ProcessEnv = process.env,
    private readonly options: { backoffMs?: number; signal?: AbortSignal; log?: (line: string) => void } = {}
  ) {
    let url: URL
    try {
      url = new URL(settings.url)
    } catch {
      throw new EndpointError(
        `${JSON.stringify(settings.url)} is not a URL (expected e.g. http://localhost:8000/v1)`,
        false
      )
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      throw new EndpointError(`${settings.url}: only http and https endpoints are supported`, false)
    this.base = url.href.replace(/\/+$/, '')
    this.headers = { 'content-type': 'application/json' }
    if (settings.apiKeyEnv !== null) {
      if (!API_KEY_ENV.test(settings.apiKeyEnv))
        throw new EndpointError(
          `the API key variable ${JSON.stringify(settings.apiKeyEnv)} must be upper case and end in _API_KEY`,
          false
        )
      const local = url.hostname === 'localhost' || url.hostname === '127.0.0.1' || url.hostname === '[::1]'
      if (url.protocol !== 'https:' && !local)
        throw new EndpointError(
          `an API key is sent only over https or to this machine, not to ${url.origin}`,
          false
        )
      const key = env[settings.apiKeyEnv]
      if (key === undefined || key === '')
        throw new EndpointError(
          `the environment variable ${settings.apiKeyEnv} (the API key) is not set`,
          false
        )
      this.headers['authorization'] = `Bearer ${key}`
    }
  }

  /** The model names the server lists; also tells early that it is reachable. */
  async models(): Promise<string[]> {
    const body = await this.request('GET', '/models', undefined)
    const parsed = z.object({ data: z.array(z.object({ id: z.string() })) }).safeParse(body)
    if (!parsed.success)
      throw new EndpointError(`${this.base}/models did not answer with a model list`, false)
    return parsed.data.data.map((m) => m.id)
  }

  async chat(request: ChatRequest): Promise<Completion> {
    const body = await this.request('POST', '/chat/completions', {
      model: this.settings.modelName,
      ...request,
    })
    const parsed = completion.safeParse(body)
    if (!parsed.success)
      throw new EndpointError(
        `the endpoint's answer is not a chat completion (${parsed.error.issues[0]?.message ?? 'unreadable'})`,
        false
      )
    return parsed.data
  }

  private async request(method: string, path: string, body: unknown): Promise<unknown> {
    while (this.active >= Math.max(1, this.settings.concurrency))
      await new Promise<void>((r) => this.waiting.push(r))
    this.active++
    try {
      return await this.withRetries(method, path, body)
    } finally {
      this.active--
      this.waiting.shift()?.()
    }
  }

  private async withRetries(method: string, path: string, body: unknown): Promise<unknown> {
    const retries = this.settings.retries
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.once(method, path, body)
      } catch (error) {
        const e = error instanceof EndpointError ? error : new EndpointError(String(error), false)
        if (!e.transient || attempt >= retries || this.options.signal?.aborted === true)
          throw attempt > 0 && e.transient
            ? new EndpointError(`${e.message} (after ${attempt + 1} tries)`, true)
            : e
        const wait = (e as EndpointError & { retryAfterMs?: number }).retryAfterMs ?? this.backoff(attempt)
        this.options.log?.(`endpoint: ${e.message}; trying again in ${Math.round(wait)} ms`)
        await sleep(wait, this.options.signal)
      }
    }
  }

  /** Exponential, with full jitter between half and one and a half of the step; at most 30 s. */
  private backoff(attempt: number): number {
    const base = this.options.backoffMs ?? 500
    return Math.min(30_000, base * 2 ** attempt) * (0.5 + Math.random())
  }

  private async once(method: string, path: string, body: unknown): Promise<unknown> {
    const timeout = AbortSignal.timeout(this.settings.timeoutS * 1000)
    const signal =
      this.options.signal === undefined ? timeout : AbortSignal.any([timeout, this.options.signal])
    let response: Response
    try {
      response = await fetch(`${this.base}${path}`, {
        method,
        headers: this.headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal,
      })
    } catch (error) {
      if (timeout.aborted)
        throw new EndpointError(`no answer from ${this.base} within ${this.settings.timeoutS} s`, true)
      if (this.options.signal?.aborted === true) throw new EndpointError('stopped', false)
      const cause = (error as { cause?: { code?: string; message?: string } }).cause
      throw new EndpointError(
        `cannot reach ${this.base} (${cause?.code ?? cause?.message ?? (error as Error).message})`,
        true
      )
    }
    let text: string
    try {
      text = await response.text()
    } catch (error) {
      if (timeout.aborted)
        throw new EndpointError(`no answer from ${this.base} within ${this.settings.timeoutS} s`, true)
      throw new EndpointError(
        `the connection to ${this.base} dropped mid-answer (${(error as Error).message})`,
        true
      )
    }
    if (!response.ok) {
      const detail = serverMessage(text)
      const transient = response.status === 429 || response.status >= 500
      const error = new EndpointError(
        `${this.base}${path} answered ${response.status}${detail === '' ? '' : `: ${detail}`}`,
        transient
      )
      const retryAfter = Number(response.headers.get('retry-after'))
      if (transient && Number.isFinite(retryAfter) && retryAfter > 0)
        Object.assign(error, { retryAfterMs: Math.min(60_000, retryAfter * 1000) })
      throw error
    }
    try {
      return JSON.parse(text) as unknown
    } catch {
      throw new EndpointError(
        `${this.base}${path} answered with malformed JSON (${text.length} bytes)`,
        false
      )
    }
  }
}

function serverMessage(text: string): string {
  try {
    const body = JSON.parse(text) as {
      error?: { message?: unknown } | string
      message?: unknown
      detail?: unknown
    }
    const message =
      typeof body.error === 'string' ? body.error : (body.error?.message ?? body.message ?? body.detail)
    if (typeof message === 'string') return message.slice(0, 300)
  } catch {
    // Not JSON.
  }
  // Only an API error's own message is shown: the endpoint is whatever URL the request named,
  // and its body must not be read back through error messages.
  return ''
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer)
      signal?.removeEventListener('abort', done)
      resolve()
    }
    const timer = setTimeout(done, ms)
    signal?.addEventListener('abort', done, { once: true })
  })
}

/**
 * log P(word) as the answer's first token, from the top alternatives: every variant of the
 * word (" Yes", "yes") counts. Null when none is among them.
 */
export function wordLogprob(top: readonly { token: string; logprob: number }[], word: string): number | null {
  const wanted = normalize(word)
  const matches = top.filter((t) => normalize(t.token) === wanted).map((t) => t.logprob)
  if (matches.length === 0) return null
  const max = Math.max(...matches)
  return max + Math.log(matches.reduce((sum, lp) => sum + Math.exp(lp - max), 0))
}

function normalize(token: string): string {
  return token.replace(/^[\sĠ▁]+|[\sĠ▁]+$/g, '').toLowerCase()
}

/** P(first answer) against the second from one completion's first-token alternatives. */
export function choiceFromCompletion(response: Completion, words: readonly [string, string]): number {
  const first = response.choices[0]?.logprobs?.content?.[0]
  const top = first?.top_logprobs ?? []
  if (first === undefined || top.length === 0)
    throw new EndpointError(
      'the endpoint returned no top_logprobs (it must support "logprobs": true with "top_logprobs"; vLLM: --max-logprobs 20)',
      false
    )
  const a = wordLogprob(top, words[0])
  const b = wordLogprob(top, words[1])
  if (a === null && b === null)
    throw new EndpointError(
      `neither ${JSON.stringify(words[0])} nor ${JSON.stringify(words[1])} is among the ${top.length} likeliest first tokens (${top
        .slice(0, 5)
        .map((t) => JSON.stringify(t.token))
        .join(', ')}…)`,
      false
    )
  // A word outside the top alternatives is at most as likely as the least likely one shown.
  const floor = Math.min(...top.map((t) => t.logprob))
  return choiceProbability(a ?? floor, b ?? floor)
}

function messages(template: JudgeTemplate, user: string): { role: string; content: string }[] {
  const out: { role: string; content: string }[] = []
  if (template.system !== null && template.system !== '')
    out.push({ role: 'system', content: template.system })
  out.push({ role: 'user', content: user })
  return out
}

export interface EndpointRunOptions {
  seed: number
  shouldStop: () => boolean
  onResult: (result: ItemResult) => void
}

/** Runs the protocol on the endpoint, `concurrency` requests at a time; results come as items finish. */
export async function runEndpointProtocol(
  client: EndpointClient,
  template: JudgeTemplate,
  items: JudgeItem[],
  options: EndpointRunOptions
): Promise<void> {
  const kwargs =
    Object.keys(template.chatOptions).length > 0 ? { chat_template_kwargs: template.chatOptions } : {}
  const choice = (user: string): Promise<number> =>
    client
      .chat({
        messages: messages(template, user),
        max_tokens: 1,
        temperature: 0,
        logprobs: true,
        top_logprobs: 20,
        ...kwargs,
      })
      .then((r) => choiceFromCompletion(r, template.choices ?? ['Yes', 'No']))

  const judgeItem = async (item: JudgeItem): Promise<ItemResult> => {
    const withRubric = item.rubric !== null
    const user = withRubric ? template.user : template.userWithoutRubric
    if (user === null)
      throw new Error(
        `judge template ${template.path} has no [user without rubric] section, so it cannot judge without a rubric`
      )
    const base = emptyResult(item.key)
    if (template.protocol === 'pointwise-json') {
      const seed = (fnv1a(item.key) ^ options.seed) >>> 0
      const response = await client.chat({
        messages: messages(
          template,
          fill(user, { prompt: item.prompt, rubric: item.rubric?.checklist ?? '', response: item.response })
        ),
        max_tokens: template.maxNewTokens,
        temperature: template.temperature,
        seed,
        ...kwargs,
      })
      const text = response.choices[0]?.message?.content ?? ''
      const parsed = parsePointwise(text)
      return {
        ...base,
        score: parsed.score,
        parseFailure: parsed.score === null,
        raw: text,
        reasoning: parsed.reasoning,
      }
    }
    if (template.protocol === 'pairwise-logprob') {
      const show = (first: string, second: string): string =>
        fill(user, { prompt: item.prompt, rubric: item.rubric?.checklist ?? '', first, second })
      const [newerFirst, olderFirst] = await Promise.all([
        choice(show(item.response, item.other ?? '')),
        choice(show(item.other ?? '', item.response)),
      ])
      return { ...base, score: (newerFirst + (1 - olderFirst)) / 2, orderScores: [newerFirst, olderFirst] }
    }
    if (item.rubric === null)
      return { ...base, score: await choice(fill(user, { prompt: item.prompt, response: item.response })) }
    const probabilities = await Promise.all(
      item.rubric.criteria.map((c) =>
        choice(
          fill(user, { prompt: item.prompt, response: item.response, criterion: c.text, levels: c.levels })
        )
      )
    )
    return {
      ...base,
      criterionScores: probabilities,
      score: weightedScore(
        probabilities,
        item.rubric.criteria.map((c) => c.weight)
      ),
    }
  }

  // As many items in flight as requests may be; the client holds requests to its limit.
  const limit = Math.max(1, client.settings.concurrency)
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < items.length && !options.shouldStop()) {
      const item = items[next++] as JudgeItem
      try {
        options.onResult(await judgeItem(item))
      } catch (error) {
        if (options.shouldStop()) return
        options.onResult(failed(item, error))
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
}
