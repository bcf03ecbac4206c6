// The inference engine of a local judge: transformers.js (tokenizer, chat template, model files,
// execution providers) over onnxruntime-node, with our own batched forward passes so that a
// key/value prefix shared by many inputs is computed once.
//
// Runs inside the judge host process (judge-process.ts): session.run blocks its thread, and a
// native crash must not take the workbench down with it.
import {
  AutoModelForCausalLM,
  AutoTokenizer,
  Tensor,
  env,
  type PreTrainedModel,
  type PreTrainedTokenizer,
} from '@huggingface/transformers'
import * as ort from 'onnxruntime-node'
import type { DeviceReport, JudgeDevice, ModelDtype, ResolvedDevice } from '../../shared/judge'
import type { Rng } from '../../shared/seeded-random'
import { cudaProviderPresent, deviceHints as hints, runtimeReason } from './devices'
import { HIDDEN_OUTPUT, withHiddenOutput } from './hidden-output'
import { inspectModel, judgeId, ModelError, type ModelFolder } from './model-folder'
import { lengthSortedChunks, longestCommonPrefix, paddedBatch } from './prefix-batching'

// Judges are local folders only: nothing is ever fetched.
env.allowRemoteModels = false
env.allowLocalModels = true
env.useFSCache = false

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant'
  content: string
}

export interface EngineOptions {
  device: JudgeDevice
  dtype: ModelDtype
  /**
   * Where to keep a copy of the model whose graph also outputs its final hidden states, for
   * embedding responses; undefined loads the model as it is.
   */
  hiddenStatesIn?: string
  log?: (line: string) => void
}

type Past = Record<string, Tensor>

export class DeviceUnavailableError extends Error {
  constructor(device: ResolvedDevice, reason: string) {
    super(`device ${device} is not available: ${reason}`)
    this.name = 'DeviceUnavailableError'
  }
}

export class JudgeEngine {
  /** Forward passes and tokens fed, for throughput figures. */
  readonly counters = { passes: 0, tokens: 0 }
  /** The last prefix computed, with its keys/values (see cachedPrefill). */
  private cache: { tokens: number[]; past: Past } | null = null
  /** Caches a wave still uses: replacing the kept prefix must not release them. */
  private readonly pinned = new Set<Past>()

  private constructor(
    readonly model: ModelFolder,
    readonly dtype: ModelDtype,
    readonly device: DeviceReport,
    private readonly tokenizer: PreTrainedTokenizer,
    private readonly network: PreTrainedModel,
    private readonly stopIds: Set<number>
  ) {}

  get judge(): string {
    return judgeId(this.model, this.dtype)
  }

  get contextLength(): number {
    return this.model.contextLength
  }

  static async load(path: string, options: EngineOptions): Promise<JudgeEngine> {
    const model = await inspectModel(path)
    if (!model.dtypes.includes(options.dtype))
      throw new ModelError(model.dir, `has no ${options.dtype} weights (present: ${model.dtypes.join(', ')})`)
    let tokenizer: PreTrainedTokenizer
    try {
      tokenizer = await AutoTokenizer.from_pretrained(model.dir, { local_files_only: true })
    } catch (error) {
      throw new ModelError(model.dir, `the tokenizer cannot be loaded (${runtimeReason(error)})`)
    }
    let graphs = model
    const notes: string[] = []
    if (options.hiddenStatesIn !== undefined) {
      const derived = await withHiddenOutput(model, options.dtype, options.hiddenStatesIn)
      if (derived.dir !== null) graphs = { ...model, dir: derived.dir }
      else if (!derived.reason.includes(HIDDEN_OUTPUT))
        notes.push(`hidden states: ${derived.reason}; responses are embedded from logits instead`)
    }
    const { network, report } = await loadOnDevice(graphs, options)
    report.notes.push(...notes)
    const stopIds = new Set<number>()
    for (const token of [tokenizer.eos_token, '<|im_end|>', '<|endoftext|>']) {
      if (typeof token !== 'string') continue
      const ids = tokenizer.encode(token, { add_special_tokens: false })
      if (ids.length === 1) stopIds.add(ids[0] as number)
    }
    const configEos = (network.config as unknown as Record<string, unknown>)['eos_token_id']
    for (const id of Array.isArray(configEos) ? configEos : [configEos])
      if (typeof id === 'number') stopIds.add(id)
    const engine = new JudgeEngine(model, options.dtype, report, tokenizer, network, stopIds)
    await engine.checkBatching()
    if (engine.batching !== 'exact')
      report.notes.push(
        engine.batching === 'single'
          ? "batching: off (this model's attention does not honour padding), one sequence per pass"
          : 'batching and prefix reuse: off (this model gives different results with a cached prefix)'
      )
    return engine
  }

  /**
   * How far batching can go on this model without changing a result. Padded rows and stacked
   * prefixes need an attention that honours the mask at every position and positions taken from
   * position_ids; some exports assume contiguous tokens instead. A few tiny passes tell: the
   * batched, reused paths must give what single whole passes give.
   */
  batching: 'exact' | 'single' | 'none' = 'exact'

  private async checkBatching(): Promise<void> {
    const base = this.encode('A check that batches and cached prefixes change nothing: one two three.')
    const groups = [
      [' four', ' five six', ' seven'].map((t) => base.concat(this.encode(t))),
      [this.encode('Short, alone.')],
      [' eight', ' nine'].map((t) => this.encode('Another start.').concat(this.encode(t))),
    ]
    const choices = Array.from({ length: 16 }, (_, i) => i)
    const differs = (a: number[][][], b: number[][][]): boolean =>
      a.some((g, gi) =>
        g.some((row, si) => row.some((x, k) => !(Math.abs(x - (b[gi]?.[si]?.[k] ?? NaN)) < 1e-3)))
      )
    const counters = { ...this.counters }
    try {
      this.batching = 'none'
      const alone = await this.nextTokenLogprobs(
        groups.flat().map((sequence) => [sequence]),
        choices,
        { batch: 1, prefixReuse: false }
      )
      const reference = groups.map((g, gi) =>
        g.map((_, si) => alone[groups.slice(0, gi).flat().length + si]?.[0] ?? [])
      )
      this.batching = 'exact'
      if (!differs(await this.nextTokenLogprobs(groups, choices, { batch: 3, prefixReuse: true }), reference))
        return
      this.batching = 'single'
      if (!differs(await this.nextTokenLogprobs(groups, choices, { batch: 1, prefixReuse: true }), reference))
        return
      this.batching = 'none'
    } finally {
      this.dropCache()
      Object.assign(this.counters, counters)
    }
  }

  private dropCache(): void {
    if (this.cache !== null && !this.pinned.has(this.cache.past)) disposePast(this.cache.past)
    this.cache = null
  }

  /** The chat as the model's own template writes it, ending in an open assistant turn. */
  chat(messages: ChatMessage[], chatOptions: Record<string, boolean> = {}): number[] {
    return this.encode(this.chatText(messages, chatOptions))
  }

  chatText(messages: ChatMessage[], chatOptions: Record<string, boolean> = {}): string {
    return this.tokenizer.apply_chat_template(messages, {
      tokenize: false,
      add_generation_prompt: true,
      ...chatOptions,
    }) as string
  }

  /**
   * Tokens of several chats that begin alike (one response under each of a rubric's criteria):
   * the shared beginning is tokenized once. It is cut at a line start, which regex pre-tokenizers
   * never join across, and the cut is checked on the first chat against a whole tokenization; a
   * tokenizer that joins differently (or adds a prefix to every piece) gets whole tokenizations.
   */
  chatMany(chats: ChatMessage[][], chatOptions: Record<string, boolean> = {}): number[][] {
    const texts = chats.map((m) => this.chatText(m, chatOptions))
    const cut = lineStartWithin(texts)
    const first = texts[0]
    if (first === undefined || cut <= 0 || texts.length < 2) return texts.map((t) => this.encode(t))
    const whole = this.encode(first)
    const head = this.encode(first.slice(0, cut))
    const joined = head.concat(this.encode(first.slice(cut)))
    if (joined.length !== whole.length || joined.some((t, i) => t !== whole[i]))
      return texts.map((t) => this.encode(t))
    return [whole, ...texts.slice(1).map((t) => head.concat(this.encode(t.slice(cut))))]
  }

  encode(text: string): number[] {
    return this.tokenizer.encode(text, { add_special_tokens: false })
  }

  /** The first token of each answer word, as it would open the assistant's turn. */
  answerTokens(words: readonly string[]): number[] {
    const ids = words.map((w) => this.encode(w)[0])
    if (ids.some((id) => id === undefined)) throw new Error('an answer word encodes to no token')
    if (new Set(ids).size !== ids.length)
      throw new Error(
        `the answers ${words.map((w) => JSON.stringify(w)).join(' and ')} begin with the same token for this tokenizer`
      )
    return ids as number[]
  }

  decode(ids: number[]): string {
    return ids.length === 0 ? '' : this.tokenizer.decode(ids, { skip_special_tokens: true })
  }

  /**
   * Log-probabilities of `choices` as the next token after each sequence. Groups are sequences
   * that share a beginning (one rubric's criteria for a response; one prompt's items). With
   * `prefixReuse`, `batch` groups at a time have their shared prefixes run in one pass, and every
   * member then feeds only its own tokens on top of its group's cached keys/values.
   */
  async nextTokenLogprobs(
    groups: number[][][],
    choices: readonly number[],
    options: { batch: number; prefixReuse: boolean; shouldStop?: () => boolean }
  ): Promise<number[][][]> {
    // What this model allows (see checkBatching).
    if (this.batching !== 'exact') options = { ...options, batch: 1 }
    if (this.batching === 'none') options = { ...options, prefixReuse: false }
    const out: number[][][] = groups.map((g) => g.map(() => []))
    const rowsOf = (gi: number, skip: number): Row[] =>
      (groups[gi] ?? []).map((sequence, si) => ({ gi, si, tokens: sequence.slice(skip) }))
    const score = async (rows: Row[], past: SharedPast | null): Promise<void> => {
      const logits = await this.lastLogits(
        rows.map((r) => r.tokens),
        past,
        rows.map((r) => r.gi)
      )
      rows.forEach((row, r) => {
        ;(out[row.gi] as number[][])[row.si] = logSoftmaxAt(logits[r] as Float32Array, choices)
      })
    }
    if (!options.prefixReuse) {
      const rows = groups.flatMap((_, gi) => rowsOf(gi, 0))
      for (const chunk of lengthSortedChunks(rows, (r) => r.tokens.length, options.batch)) {
        if (options.shouldStop?.() === true) break
        await score(chunk, null)
      }
      return out
    }
    for (let start = 0; start < groups.length; start += options.batch) {
      if (options.shouldStop?.() === true) break
      const wave = groups.slice(start, start + options.batch).map((_, w) => start + w)
      // A group's members share their longest common prefix; a lone sequence shares what it has
      // in common with the previous group's prefix (the instructions and the prompt, often).
      const prefixes = wave.map((gi) => {
        const group = groups[gi] ?? []
        const first = group[0] ?? []
        if (group.length > 1) return first.slice(0, longestCommonPrefix(group))
        const cached = this.cache === null ? 0 : longestCommonPrefix([first, this.cache.tokens])
        return cached >= MIN_SHARED ? first.slice(0, Math.min(cached, first.length - 1)) : []
      })
      const pasts: (Past | null)[] = []
      let past: SharedPast | null = null
      try {
        for (const prefix of prefixes) {
          const prefixPast = prefix.length > 0 ? await this.cachedPrefill(prefix) : null
          if (prefixPast !== null) this.pinned.add(prefixPast)
          pasts.push(prefixPast)
        }
        const width = Math.max(...prefixes.map((p) => p.length))
        if (width > 0)
          past = {
            tensors: await stackLeftPadded(
              pasts,
              prefixes.map((p) => p.length),
              width
            ),
            lengths: Object.fromEntries(wave.map((gi, w) => [gi, prefixes[w]?.length ?? 0])),
            slot: new Map(wave.map((gi, w) => [gi, w])),
            width,
          }
        const rows = wave.flatMap((gi, w) => rowsOf(gi, prefixes[w]?.length ?? 0))
        for (const chunk of lengthSortedChunks(rows, (r) => r.tokens.length, options.batch)) {
          if (options.shouldStop?.() === true) break
          await score(chunk, past)
        }
      } finally {
        // Also after a failure (out of memory, say): nothing of the wave may stay pinned.
        for (const p of new Set([...pasts, past?.tensors ?? null])) {
          if (p !== null) this.pinned.delete(p)
          if (p !== this.cache?.past) disposePast(p)
        }
      }
    }
    return out
  }

  /** Text from the model after `sequence`, sampled with `random` (greedy at temperature 0). */
  async generate(
    sequence: number[],
    options: {
      maxNewTokens: number
      temperature: number
      random: Rng
      prefix: { length: number; past: Past } | null
      shouldStop?: () => boolean
    }
  ): Promise<{ text: string; tokens: number; stoppedEarly: boolean }> {
    const generated: number[] = []
    let pastLength = options.prefix?.length ?? 0
    let past: Past | null = options.prefix?.past ?? null
    let feed = sequence.slice(pastLength)
    let stoppedEarly = false
    // Each step's cache holds the one before it: only the latest is kept, and the caller's
    // shared prefix is never released here.
    const release = (p: Past | null): void => {
      if (p !== null && p !== options.prefix?.past) disposePast(p)
    }
    try {
      while (generated.length < options.maxNewTokens && pastLength + feed.length < this.contextLength) {
        if (options.shouldStop?.() === true) {
          stoppedEarly = true
          break
        }
        const { logits, present } = await this.run([feed], past, [], pastLength)
        release(past)
        past = present
        pastLength += feed.length
        const next = sample(logits[0] as Float32Array, options.temperature, options.random)
        if (this.stopIds.has(next)) break
        generated.push(next)
        feed = [next]
      }
    } finally {
      release(past)
    }
    return { text: this.decode(generated), tokens: generated.length, stoppedEarly }
  }

  /**
   * A response as the model reads it after its prompt (the prompt as a user turn, the response as
   * the assistant's), with where the response begins. Past `maxTokens` (at most the context), the
   * prompt keeps its end (at most half) and the response its beginning.
   */
  responseSequence(
    prompt: string,
    response: string,
    maxTokens = this.contextLength - 1
  ): { tokens: number[]; from: number } {
    let head = this.chat([{ role: 'user', content: prompt }])
    const body = this.encode(response)
    const room = Math.min(maxTokens, this.contextLength - 1)
    if (head.length + body.length > room) {
      const keep = Math.min(head.length, Math.max(room - body.length, Math.floor(room / 2)))
      head = head.slice(head.length - keep)
      return { tokens: head.concat(body).slice(0, room), from: head.length }
    }
    return { tokens: head.concat(body), from: head.length }
  }

  /**
   * One vector per sequence, for heads trained on frozen embeddings. Where the model exports its
   * final hidden states (`last_hidden_state`), the mean of those over positions `from`.. (the
   * response's own tokens after its prompt). Exports made for generation carry logits only; then
   * the square roots of the next-token probabilities after the whole sequence, count-sketched to
   * SKETCH_DIMS numbers (a unit vector whose dot products approximate the Bhattacharyya overlap of
   * two distributions).
   */
  async embed(
    sequences: readonly { tokens: number[]; from: number }[],
    options: { batch: number; shouldStop?: () => boolean }
  ): Promise<{ vectors: (Float32Array | null)[]; kind: EmbeddingKind }> {
    const batch = this.batching === 'exact' ? options.batch : 1
    const vectors: (Float32Array | null)[] = sequences.map(() => null)
    let kind: EmbeddingKind = 'hidden-mean'
    const rows = sequences.map((s, i) => ({ i, tokens: s.tokens, from: s.from }))
    for (const chunk of lengthSortedChunks(rows, (r) => r.tokens.length, batch)) {
      if (options.shouldStop?.() === true) break
      const { logits, present, outputs } = await this.run(
        chunk.map((r) => r.tokens),
        null,
        [],
        0
      )
      disposePast(present)
      let hidden = outputs[HIDDEN_OUTPUT]
      if (hidden === undefined) {
        kind = 'logprob-sketch'
        chunk.forEach((r, k) => (vectors[r.i] = probabilitySketch(logits[k] as Float32Array)))
        continue
      }
      if (hidden.type === 'float16') hidden = hidden.to('float32')
      const [, steps, size] = hidden.dims as [number, number, number]
      const data = (await hostData(hidden)) as Float32Array
      chunk.forEach((r, k) => {
        // Rows are left-padded: row k's tokens fill its last r.tokens.length positions.
        const start = steps - r.tokens.length + Math.min(r.from, r.tokens.length - 1)
        const v = new Float32Array(size)
        for (let t = start; t < steps; t++) {
          const at = (k * steps + t) * size
          for (let d = 0; d < size; d++) v[d] = (v[d] as number) + (data[at + d] as number)
        }
        for (let d = 0; d < size; d++) v[d] = (v[d] as number) / (steps - start)
        vectors[r.i] = v
      })
    }
    return { vectors, kind }
  }

  /** Whether a computed prefix may be continued (false on models that change results with one). */
  get reusesPrefixes(): boolean {
    return this.batching !== 'none'
  }

  /** Runs `prefix` once (batch 1) and keeps its keys/values. */
  async prefill(prefix: number[]): Promise<Past> {
    return this.cachedPrefill(prefix)
  }

  releasePrefix(past: Past): void {
    if (past !== this.cache?.past) disposePast(past)
  }

  /**
   * Keys/values of `tokens` (batch 1). The last prefix computed is kept: a new one that begins
   * like it feeds only its own tokens on top of the kept part, so items of one prompt share the
   * instructions and the prompt across groups.
   */
  private async cachedPrefill(tokens: number[]): Promise<Past> {
    const cache = this.cache
    if (
      cache !== null &&
      cache.tokens.length === tokens.length &&
      cache.tokens.every((t, i) => t === tokens[i])
    )
      return cache.past
    let reused = cache === null ? 0 : longestCommonPrefix([tokens, cache.tokens])
    reused = Math.min(reused, tokens.length - 1)
    let present: Past
    if (cache !== null && reused >= MIN_SHARED) {
      const head = await slicePositions(cache.past, reused)
      present = (await this.run([tokens.slice(reused)], head, [reused], reused)).present
      disposePast(head)
    } else present = (await this.run([tokens], null, [], 0)).present
    if (cache !== null && !this.pinned.has(cache.past)) disposePast(cache.past)
    this.cache = { tokens, past: present }
    return present
  }

  /** Next-token logits of rows that each continue their own group's cached prefix. */
  private async lastLogits(
    rows: number[][],
    past: SharedPast | null,
    groupOf: number[]
  ): Promise<Float32Array[]> {
    if (past === null) return (await this.run(rows, null, [], 0)).logits
    const lengths = groupOf.map((gi) => past.lengths[gi] ?? 0)
    const gathered = await gatherRows(
      past.tensors,
      groupOf.map((gi) => past.slot.get(gi) ?? 0)
    )
    const { logits, present } = await this.run(rows, gathered, lengths, past.width)
    disposePast(present)
    if (gathered !== past.tensors) disposePast(gathered)
    return logits
  }

  /**
   * One forward pass over left-padded rows. Row r continues `pastLengths[r]` cached tokens,
   * right-aligned in a cache `pastWidth` wide (generation passes its whole cache: every length
   * equals the width).
   */
  private async run(
    rows: number[][],
    past: Past | null,
    pastLengths: number[],
    pastWidth: number
  ): Promise<{ logits: Float32Array[]; present: Past; outputs: Record<string, Tensor> }> {
    const lengths = past === null ? [] : pastLengths.length > 0 ? pastLengths : rows.map(() => pastWidth)
    const width = past === null ? 0 : pastWidth
    const batch = paddedBatch(rows, lengths, width)
    const feeds: Record<string, Tensor | Past> = {
      input_ids: new Tensor('int64', batch.inputIds, [rows.length, batch.width]),
      attention_mask: new Tensor('int64', batch.attentionMask, [rows.length, width + batch.width]),
      position_ids: new Tensor('int64', batch.positionIds, [rows.length, batch.width]),
    }
    // transformers.js feeds the cache from `past_key_values` and makes an empty one without it.
    if (past !== null) feeds['past_key_values'] = past
    this.counters.passes++
    this.counters.tokens += rows.reduce((n, r) => n + r.length, 0)
    const outputs = (await this.network.forward(feeds)) as Record<string, Tensor>
    let logitsTensor = outputs['logits']
    if (logitsTensor === undefined) throw new Error('the model returned no logits')
    // Half-precision models give half-precision logits, stored as raw 16-bit words.
    if (logitsTensor.type === 'float16') logitsTensor = logitsTensor.to('float32')
    const [, steps, vocab] = logitsTensor.dims as [number, number, number]
    const data = (await hostData(logitsTensor)) as Float32Array
    const logits = rows.map((_, r) =>
      Float32Array.from(data.subarray((r * steps + steps - 1) * vocab, (r * steps + steps) * vocab))
    )
    const present: Past = {}
    for (const [name, tensor] of Object.entries(outputs)) {
      if (name.startsWith('present')) present[name.replace(/^present/, 'past_key_values')] = tensor
    }
    return { logits, present, outputs }
  }
}

export type EmbeddingKind = 'hidden-mean' | 'logprob-sketch'

/** Width of the sketch of a next-token distribution (models without a hidden-state output). */
export const SKETCH_DIMS = 256

/** √p of each token, each added with a hashed sign into one of SKETCH_DIMS buckets. */
function probabilitySketch(logits: Float32Array): Float32Array {
  let max = -Infinity
  for (const v of logits) if (v > max) max = v
  let sum = 0
  for (const v of logits) sum += Math.exp(v - max)
  const out = new Float32Array(SKETCH_DIMS)
  for (let id = 0; id < logits.length; id++) {
    let h = Math.imul(id + 1, 0x9e3779b1)
    h = Math.imul(h ^ (h >>> 15), 0x85ebca6b) >>> 0
    const root = Math.sqrt(Math.exp((logits[id] as number) - max) / sum)
    out[h % SKETCH_DIMS] = (out[h % SKETCH_DIMS] as number) + (h & 0x80000000 ? -root : root)
  }
  return out
}

/** Shared tokens below which a prefix is recomputed rather than fetched from the cache. */
const MIN_SHARED = 16

interface Row {
  gi: number
  si: number
  tokens: number[]
}

/** Cached prefixes of a wave of groups, one batch row (slot) per group. */
interface SharedPast {
  tensors: Past
  lengths: Record<number, number>
  /** Batch row of each group in `tensors`. */
  slot: Map<number, number>
  width: number
}

/**
 * The last line start inside the characters all texts share (a newline followed by a
 * non-space character, also shared); 0 when there is none.
 */
export function lineStartWithin(texts: readonly string[]): number {
  const first = texts[0] ?? ''
  let shared = first.length
  for (const t of texts) {
    let i = 0
    while (i < shared && t.charCodeAt(i) === first.charCodeAt(i)) i++
    shared = i
  }
  for (let i = shared - 1; i > 0; i--) if (first[i - 1] === '\n' && !/\s/.test(first[i] as string)) return i
  return 0
}

async function loadOnDevice(
  model: ModelFolder,
  options: EngineOptions
): Promise<{ network: PreTrainedModel; report: DeviceReport }> {
  const notes: string[] = []
  const candidates: ResolvedDevice[] =
    options.device === 'auto' ? ['cuda', 'webgpu', 'cpu'] : [options.device]
  const bundled = new Map(ort.listSupportedBackends().map((b) => [b.name, b.bundled]))
  for (const device of candidates) {
    if (
      device === 'cuda' &&
      options.device === 'auto' &&
      bundled.get('cuda') !== true &&
      !cudaProviderPresent()
    ) {
      notes.push(`cuda: ${hints.cuda}`)
      continue
    }
    try {
      const network = await AutoModelForCausalLM.from_pretrained(model.dir, {
        device,
        dtype: options.dtype,
        local_files_only: true,
      })
      return { network, report: { requested: options.device, used: device, notes } }
    } catch (error) {
      const reason = runtimeReason(error)
      if (
        /no such file|ENOENT|Protobuf parsing failed|invalid model|Load model/i.test(reason) ||
        device === 'cpu'
      )
        throw new ModelError(model.dir, `the ONNX model cannot be loaded on ${device} (${reason})`)
      const hint = device === 'cuda' || device === 'webgpu' ? ` (${hints[device]})` : ''
      if (options.device !== 'auto') throw new DeviceUnavailableError(device, `${reason}${hint}`)
      notes.push(`${device}: ${reason}`)
      options.log?.(`judge: ${device} unavailable, trying the next device: ${reason}`)
    }
  }
  throw new Error('no device could load the model')
}

async function hostData(tensor: Tensor): Promise<ArrayLike<number>> {
  if (tensor.location === 'cpu' || tensor.location === undefined) return tensor.data as ArrayLike<number>
  return (await tensor.ort_tensor.getData()) as ArrayLike<number>
}

type FloatArray = Float32Array | Uint16Array

/** The first `length` positions of a batch-1 cache. */
async function slicePositions(past: Past, length: number): Promise<Past> {
  const out: Past = {}
  for (const [name, tensor] of Object.entries(past)) {
    const [, heads, positions, size] = tensor.dims as [number, number, number, number]
    const data = (await hostData(tensor)) as FloatArray
    const Kind = data.constructor as new (n: number) => FloatArray
    const sliced = new Kind(heads * length * size)
    for (let h = 0; h < heads; h++)
      sliced.set(data.subarray(h * positions * size, (h * positions + length) * size), h * length * size)
    out[name] = new Tensor(tensor.type as 'float32', sliced, [1, heads, length, size])
  }
  return out
}

/** Batch-1 caches stacked into one batch, each right-aligned in `width` positions. */
async function stackLeftPadded(pasts: (Past | null)[], lengths: number[], width: number): Promise<Past> {
  const only = pasts[0]
  if (pasts.length === 1 && only !== null && only !== undefined && lengths[0] === width) return only
  const template = pasts.find((p): p is Past => p !== null)
  if (template === undefined) throw new Error('no prefix to stack')
  const out: Past = {}
  for (const [name, like] of Object.entries(template)) {
    const [, heads, , size] = like.dims as [number, number, number, number]
    const sample = (await hostData(like)) as FloatArray
    const Kind = sample.constructor as new (n: number) => FloatArray
    const stacked = new Kind(pasts.length * heads * width * size)
    for (const [row, past] of pasts.entries()) {
      const tensor = past?.[name]
      const length = lengths[row] ?? 0
      if (tensor === undefined || length === 0) continue
      const data = (await hostData(tensor)) as FloatArray
      const positions = tensor.dims[2] as number
      for (let h = 0; h < heads; h++) {
        const to = ((row * heads + h) * width + width - length) * size
        stacked.set(data.subarray(h * positions * size, (h * positions + length) * size), to)
      }
    }
    out[name] = new Tensor(like.type as 'float32', stacked, [pasts.length, heads, width, size])
  }
  return out
}

/** A batch whose row r holds the cached keys/values of row `slots[r]` of `past`. */
async function gatherRows(past: Past, slots: number[]): Promise<Past> {
  const out: Past = {}
  for (const [name, tensor] of Object.entries(past)) {
    const data = (await hostData(tensor)) as Float32Array
    const rowSize = data.length / (tensor.dims[0] as number)
    const Kind = data.constructor as new (n: number) => Float32Array
    const gathered = new Kind(rowSize * slots.length)
    slots.forEach((slot, r) => gathered.set(data.subarray(slot * rowSize, (slot + 1) * rowSize), r * rowSize))
    const dims = [...tensor.dims]
    dims[0] = slots.length
    out[name] = new Tensor(tensor.type as 'float32', gathered, dims)
  }
  return out
}

function disposePast(past: Past | null): void {
  if (past === null) return
  for (const tensor of Object.values(past)) if (tensor.location !== 'cpu') tensor.dispose()
}

function logSoftmaxAt(logits: Float32Array, ids: readonly number[]): number[] {
  let max = -Infinity
  for (const v of logits) if (v > max) max = v
  let sum = 0
  for (const v of logits) sum += Math.exp(v - max)
  const logZ = max + Math.log(sum)
  return ids.map((id) => (logits[id] ?? -Infinity) - logZ)
}

function sample(logits: Float32Array, temperature: number, random: Rng): number {
  let best = 0
  for (let i = 1; i < logits.length; i++) if ((logits[i] as number) > (logits[best] as number)) best = i
  if (temperature <= 0) return best
  const max = logits[best] as number
  const weights = Array.from(logits, (v) => Math.exp((v - max) / temperature))
  let r = random() * weights.reduce((a, b) => a + b, 0)
  for (let i = 0; i < weights.length; i++) {
    r -= weights[i] as number
    if (r <= 0) return i
  }
  return best
}
