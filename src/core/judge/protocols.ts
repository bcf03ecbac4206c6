// The judge protocols: how items become chat prompts, which shared prefixes they group under, and
// how the model's output becomes a score. Runs in the judge host process, next to the engine.
import { fnv1a } from '../../shared/hash'
import { choiceProbability, parsePointwise, weightedScore, type LocalVerdict } from '../../shared/judge'
import { mulberry32 } from '../../shared/seeded-random'
import type { ChatMessage, JudgeEngine } from './judge-engine'
import { fill, type JudgeTemplate } from './judge-template'
import { longestCommonPrefix } from './prefix-batching'

export interface ItemRubric {
  id: string
  criteria: { text: string; weight: number | null; levels: string }[]
  /** The checklist as one text, for protocols that show the whole rubric. */
  checklist: string
}

/** One unit of work, JSON-safe so it crosses to the judge process. */
export interface JudgeItem {
  key: string
  prompt: string
  rubric: ItemRubric | null
  responseId: string
  response: string
  /** Pairwise protocols: the older response. */
  otherResponseId: string | null
  other: string | null
}

export type ItemResult = Pick<
  LocalVerdict,
  | 'key'
  | 'score'
  | 'criterionScores'
  | 'orderScores'
  | 'parseFailure'
  | 'raw'
  | 'reasoning'
  | 'truncated'
  | 'error'
  | 'tokens'
>

export interface ProtocolOptions {
  batch: number
  prefixReuse: boolean
  seed: number
  shouldStop: () => boolean
  onResult: (result: ItemResult) => void
}

/** Sequences per prefix group (the prefix is computed once per group). */
const MAX_GROUP = 64

const TRUNCATION_MARK = ' [… cut to fit the judge’s context]'
/** Tokens the mark may take (byte-level tokenizers spell it out). */
const MARK_TOKENS = 48

export async function runProtocol(
  engine: JudgeEngine,
  template: JudgeTemplate,
  items: JudgeItem[],
  options: ProtocolOptions
): Promise<void> {
  if (template.protocol === 'pointwise-json') return pointwise(engine, template, items, options)
  return logprob(engine, template, items, options)
}

function messages(template: JudgeTemplate, user: string): ChatMessage[] {
  const out: ChatMessage[] = []
  if (template.system !== null && template.system !== '')
    out.push({ role: 'system', content: template.system })
  out.push({ role: 'user', content: user })
  return out
}

function userText(template: JudgeTemplate, withRubric: boolean): string {
  if (withRubric) return template.user
  if (template.userWithoutRubric === null)
    throw new Error(
      `judge template ${template.path} has no [user without rubric] section, so it cannot judge without a rubric`
    )
  return template.userWithoutRubric
}

/**
 * Renders with the responses cut until every sequence fits `limit` tokens; responses are the part
 * that may be cut, the question and the instructions never are.
 */
export function fitted(
  engine: JudgeEngine,
  texts: string[],
  render: (texts: string[]) => number[][],
  limit: number
): { sequences: number[][]; truncated: boolean; texts: string[] } {
  let sequences = render(texts)
  let longest = Math.max(...sequences.map((s) => s.length))
  if (longest <= limit) return { sequences, truncated: false, texts }
  const tokens = texts.map((t) => engine.encode(t))
  // Every response appears in the longest sequence: its length is the fixed part plus theirs.
  let fixed = longest - tokens.reduce((n, t) => n + t.length, 0)
  for (let attempt = 0; attempt < 6; attempt++) {
    // Room left for the responses, shared by cutting the longest first (a short one keeps all of
    // itself while a long one has room to give), with a margin for the mark and re-tokenization.
    const room = Math.max(0, limit - fixed - texts.length * (MARK_TOKENS + 8 * (attempt + 1)))
    const cap = waterLevel(
      tokens.map((t) => t.length),
      room
    )
    const cut = tokens.map((t) =>
      t.length > cap ? engine.decode(t.slice(0, cap)) + TRUNCATION_MARK : engine.decode(t)
    )
    sequences = render(cut)
    longest = Math.max(...sequences.map((s) => s.length))
    if (longest <= limit) return { sequences, truncated: true, texts: cut }
    if (cap === 0) break
    fixed += longest - limit
  }
  throw new Error(
    `the prompt and instructions alone take more than the judge's context of ${limit + 1} tokens`
  )
}

/** The largest cap such that the lengths, each capped, sum to at most `room`. */
export function waterLevel(lengths: number[], room: number): number {
  const sorted = [...lengths].sort((a, b) => a - b)
  let used = 0
  for (let i = 0; i < sorted.length; i++) {
    const left = sorted.length - i
    const level = Math.floor((room - used) / left)
    if (level < (sorted[i] as number)) return Math.max(0, level)
    used += sorted[i] as number
  }
  return Math.max(0, ...lengths)
}

interface Prepared {
  item: JudgeItem
  sequences: number[][]
  truncated: boolean
}

async function logprob(
  engine: JudgeEngine,
  template: JudgeTemplate,
  items: JudgeItem[],
  options: ProtocolOptions
): Promise<void> {
  const choices = engine.answerTokens(template.choices ?? ['Yes', 'No'])
  const pairwise = template.protocol === 'pairwise-logprob'
  const limit = engine.contextLength - 1
  const prepared: Prepared[] = []
  for (const item of items) {
    try {
      const withRubric = item.rubric !== null
      const user = userText(template, withRubric)
      const render = (texts: string[]): number[][] => {
        if (pairwise) {
          const [newer, older] = texts as [string, string]
          const show = (first: string, second: string): number[] =>
            engine.chat(
              messages(
                template,
                fill(user, { prompt: item.prompt, rubric: item.rubric?.checklist ?? '', first, second })
              ),
              template.chatOptions
            )
          return [show(newer, older), show(older, newer)]
        }
        const [response] = texts as [string]
        if (item.rubric === null)
          return [
            engine.chat(
              messages(template, fill(user, { prompt: item.prompt, response })),
              template.chatOptions
            ),
          ]
        return engine.chatMany(
          item.rubric.criteria.map((criterion) =>
            messages(
              template,
              fill(user, {
                prompt: item.prompt,
                response,
                criterion: criterion.text,
                levels: criterion.levels,
              })
            )
          ),
          template.chatOptions
        )
      }
      const texts = pairwise ? [item.response, item.other ?? ''] : [item.response]
      prepared.push({ item, ...fitted(engine, texts, render, limit) })
    } catch (error) {
      options.onResult(failed(item, error))
    }
  }
  // One rubric's criteria share prompt + response: one group per item. Without a rubric, or for
  // pairs, the items of one (prompt, rubric) share the instructions, the prompt and the rubric.
  const groups = new Map<string, Prepared[][]>()
  for (const p of prepared) {
    const key =
      pairwise || p.item.rubric === null ? `${p.item.rubric?.id ?? '-'}\u0000${p.item.prompt}` : p.item.key
    const chunks = groups.get(key) ?? [[]]
    let last = chunks.at(-1) as Prepared[]
    // Bounded groups keep cancel and progress prompt.
    if (last.length > 0 && last.reduce((n, q) => n + q.sequences.length, 0) + p.sequences.length > MAX_GROUP)
      chunks.push((last = []))
    last.push(p)
    groups.set(key, chunks)
  }
  // Items of one prompt next to each other: the engine keeps the last prefix, so consecutive
  // groups share the instructions and the prompt.
  const promptOf = (chunk: Prepared[]): string => chunk[0]?.item.prompt ?? ''
  const all = [...groups.values()]
    .flat()
    .sort((a, b) => (promptOf(a) < promptOf(b) ? -1 : promptOf(a) > promptOf(b) ? 1 : 0))
  // A wave of `batch` groups shares its prefill pass; results go out after each wave.
  for (let start = 0; start < all.length; start += options.batch) {
    if (options.shouldStop()) return
    const wave = all.slice(start, start + options.batch)
    let logprobs: number[][][]
    try {
      logprobs = await engine.nextTokenLogprobs(
        wave.map((chunk) => chunk.flatMap((p) => p.sequences)),
        choices,
        options
      )
    } catch (error) {
      for (const p of wave.flat()) options.onResult(failed(p.item, error))
      continue
    }
    // After a cancel mid-wave only items whose every sequence was scored are reported.
    for (const [w, chunk] of wave.entries()) emitChunk(chunk, logprobs[w] ?? [])
  }

  function emitChunk(chunk: Prepared[], flat: number[][]): void {
    let at = 0
    for (const p of chunk) {
      const mine = flat.slice(at, at + p.sequences.length)
      at += p.sequences.length
      if (mine.length < p.sequences.length || mine.some((x) => x.length < 2)) continue
      const probabilities = mine.map(([yes, no]) => choiceProbability(yes as number, no as number))
      const tokens = p.sequences.reduce((n, s) => n + s.length, 0)
      let score: number | null
      let criterionScores: number[] | null = null
      let orderScores: [number, number] | null = null
      if (pairwise) {
        const [newerFirst, olderFirst] = probabilities as [number, number]
        // P(newer better): read as "first" in one order and as "second" in the other.
        orderScores = [newerFirst, olderFirst]
        score = (newerFirst + (1 - olderFirst)) / 2
      } else if (p.item.rubric === null) score = probabilities[0] ?? null
      else {
        criterionScores = probabilities
        score = weightedScore(
          probabilities,
          p.item.rubric.criteria.map((c) => c.weight)
        )
      }
      options.onResult({
        key: p.item.key,
        score,
        criterionScores,
        orderScores,
        parseFailure: false,
        raw: null,
        reasoning: null,
        truncated: p.truncated,
        error: null,
        tokens,
      })
    }
  }
}

async function pointwise(
  engine: JudgeEngine,
  template: JudgeTemplate,
  items: JudgeItem[],
  options: ProtocolOptions
): Promise<void> {
  const reserve = Math.min(template.maxNewTokens, Math.floor(engine.contextLength / 2))
  const limit = engine.contextLength - reserve
  // Items under one (prompt, rubric) share everything before the response: prefill it once.
  const groups = new Map<string, { item: JudgeItem; sequence: number[]; truncated: boolean }[]>()
  for (const item of items) {
    try {
      const user = userText(template, item.rubric !== null)
      const render = ([response]: string[]): number[][] => [
        engine.chat(
          messages(
            template,
            fill(user, {
              prompt: item.prompt,
              rubric: item.rubric?.checklist ?? '',
              response: response ?? '',
            })
          ),
          template.chatOptions
        ),
      ]
      const { sequences, truncated } = fitted(engine, [item.response], render, limit)
      const key = `${item.rubric?.id ?? '-'}\u0000${item.prompt}`
      const list = groups.get(key) ?? []
      list.push({ item, sequence: sequences[0] as number[], truncated })
      groups.set(key, list)
    } catch (error) {
      options.onResult(failed(item, error))
    }
  }
  for (const members of groups.values()) {
    if (options.shouldStop()) return
    const sequences = members.map((m) => m.sequence)
    const length =
      options.prefixReuse && engine.reusesPrefixes && members.length > 1 ? longestCommonPrefix(sequences) : 0
    let prefix: { length: number; past: Awaited<ReturnType<JudgeEngine['prefill']>> } | null = null
    try {
      // A failed prefill fails this group's items, not the job.
      prefix =
        length > 0
          ? { length, past: await engine.prefill((sequences[0] as number[]).slice(0, length)) }
          : null
    } catch (error) {
      for (const member of members) options.onResult(failed(member.item, error))
      continue
    }
    try {
      for (const member of members) {
        if (options.shouldStop()) return
        try {
          const random = mulberry32((fnv1a(member.item.key) ^ options.seed) >>> 0)
          const out = await engine.generate(member.sequence, {
            maxNewTokens: template.maxNewTokens,
            temperature: template.temperature,
            random,
            prefix,
            shouldStop: options.shouldStop,
          })
          if (out.stoppedEarly) return
          const parsed = parsePointwise(out.text)
          options.onResult({
            key: member.item.key,
            score: parsed.score,
            criterionScores: null,
            orderScores: null,
            parseFailure: parsed.score === null,
            raw: out.text,
            reasoning: parsed.reasoning,
            truncated: member.truncated,
            error: null,
            tokens: member.sequence.length + out.tokens,
          })
        } catch (error) {
          options.onResult(failed(member.item, error))
        }
      }
    } finally {
      if (prefix !== null) engine.releasePrefix(prefix.past)
    }
  }
}

/** A result with nothing in it yet, for a protocol to fill. */
export function emptyResult(key: string): ItemResult {
  return {
    key,
    score: null,
    criterionScores: null,
    orderScores: null,
    parseFailure: false,
    raw: null,
    reasoning: null,
    truncated: false,
    error: null,
    tokens: 0,
  }
}

export function failed(item: Pick<JudgeItem, 'key'>, error: unknown): ItemResult {
  return { ...emptyResult(item.key), error: error instanceof Error ? error.message : String(error) }
}
