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
import { cudaProviderPresent } from './devices'
import { inspectModel, judgeId, ModelError, type ModelFolder } from './model-folder'
import { longestCommonPrefix, paddedBatch } from './prefix-batching'

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
  log?: (line: string) => void
}

type Past = Record<string, Tensor>

export class DeviceUnavailableError extends Error {
  constructor(device: ResolvedDevice, reason: string) {
    super(`device ${device} is not available: ${reason}`)
    this.name = 'DeviceUnavailableError'
  }
}

const hints: Record<'cuda' | 'webgpu', string> = {
  cuda: 'the CUDA provider is not installed; with CUDA 12 and internet, reinstall with ONNXRUNTIME_NODE_INSTALL=cuda12 npm install onnxruntime-node',
  webgpu: 'no WebGPU adapter (the bundled Dawn needs a GPU with a Vulkan driver and libvulkan.so.1)',
}

function firstLine(error: unknown): string {
  // Runtime errors open with a source location and a failed assertion; the reason follows.
  const text = (error instanceof Error ? error.message : String(error)).replace(/^[^\n]*? was false\.\s*/, '')
  const line = text.split('\n').find((l) => l.trim() !== '') ?? text
  return line.length > 300 ? `${line.slice(0, 300)}…` : line
}

export class JudgeEngine {
  /** Forward passes and tokens fed, for throughput figures. */
  readonly counters = { passes: 0, tokens: 0 }

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
      throw new ModelError(model.dir, `the tokenizer cannot be loaded (${firstLine(error)})`)
    }
    const { network, report } = await loadOnDevice(model, options)
    const stopIds = new Set<number>()
    for (const token of [tokenizer.eos_token, '<|im_end|>', '<|endoftext|>']) {
      if (typeof token !== 'string') continue
      const ids = tokenizer.encode(token, { add_special_tokens: false })
      if (ids.length === 1) stopIds.add(ids[0] as number)
    }
    const configEos = (network.config as unknown as Record<string, unknown>)['eos_token_id']
    for (const id of Array.isArray(configEos) ? configEos : [configEos])
      if (typeof id === 'number') stopIds.add(id)
    return new JudgeEngine(model, options.dtype, report, tokenizer, network, stopIds)
  }

  /** The chat as the model's own template writes it, ending in an open assistant turn. */
  chat(messages: ChatMessage[], chatOptions: Record<string, boolean> = {}): number[] {
    const text = this.tokenizer.apply_chat_template(messages, {
      tokenize: false,
      add_generation_prompt: true,
      ...chatOptions,
    }) as string
    return this.encode(text)
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
    return this.tokenizer.decode(ids, { skip_special_tokens: true })
  }

  /**
   * Log-probabilities of `choices` as the next token after each sequence. Groups are sequences
   * that share a beginning (one rubric's criteria for a response; one prompt's pair orders); with
   * `prefixReuse` that shared prefix is run once and its keys/values feed every member.
   */
  async nextTokenLogprobs(
    groups: number[][][],
    choices: readonly number[],
    options: { batch: number; prefixReuse: boolean; shouldStop?: () => boolean }
  ): Promise<number[][][]> {
    const out: number[][][] = groups.map((g) => g.map(() => []))
    for (const [gi, group] of groups.entries()) {
      if (options.shouldStop?.() === true) break
      const prefixLength = options.prefixReuse && group.length > 1 ? longestCommonPrefix(group) : 0
      const past = prefixLength > 0 ? await this.prefill(group[0]?.slice(0, prefixLength) ?? []) : null
      const order = group.map((_, i) => i).sort((a, b) => (group[b]?.length ?? 0) - (group[a]?.length ?? 0))
      for (let start = 0; start < order.length; start += options.batch) {
        const members = order.slice(start, start + options.batch)
        const rows = members.map((i) => (group[i] as number[]).slice(prefixLength))
        const logits = await this.lastLogits(rows, past, prefixLength)
        members.forEach((member, r) => {
          ;(out[gi] as number[][])[member] = logSoftmaxAt(logits[r] as Float32Array, choices)
        })
      }
      disposePast(past)
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
    const owned: Past[] = []
    let stoppedEarly = false
    while (generated.length < options.maxNewTokens && pastLength + feed.length < this.contextLength) {
      if (options.shouldStop?.() === true) {
        stoppedEarly = true
        break
      }
      const { logits, present } = await this.run([feed], past, pastLength)
      owned.push(present)
      pastLength += feed.length
      past = present
      const next = sample(logits[0] as Float32Array, options.temperature, options.random)
      if (this.stopIds.has(next)) break
      generated.push(next)
      feed = [next]
    }
    // The caller owns the shared prefix; everything computed here is released.
    for (const p of owned.slice(0, -1)) disposePast(p)
    disposePast(owned.at(-1) ?? null)
    return { text: this.decode(generated), tokens: generated.length, stoppedEarly }
  }

  /** Runs `prefix` once (batch 1) and keeps its keys/values. */
  async prefill(prefix: number[]): Promise<Past> {
    const { present } = await this.run([prefix], null, 0)
    return present
  }

  releasePrefix(past: Past): void {
    disposePast(past)
  }

  private async lastLogits(rows: number[][], past: Past | null, pastLength: number): Promise<Float32Array[]> {
    const tiled = past === null ? null : await tile(past, rows.length)
    const { logits, present } = await this.run(rows, tiled, pastLength)
    disposePast(present)
    if (tiled !== past) disposePast(tiled)
    return logits
  }

  /** One forward pass over left-padded rows after `pastLength` cached positions. */
  private async run(
    rows: number[][],
    past: Past | null,
    pastLength: number
  ): Promise<{ logits: Float32Array[]; present: Past }> {
    const batch = paddedBatch(rows, pastLength)
    const feeds: Record<string, Tensor | Past> = {
      input_ids: new Tensor('int64', batch.inputIds, [rows.length, batch.width]),
      attention_mask: new Tensor('int64', batch.attentionMask, [rows.length, pastLength + batch.width]),
      position_ids: new Tensor('int64', batch.positionIds, [rows.length, batch.width]),
    }
    // transformers.js feeds the cache from `past_key_values` and makes an empty one without it.
    if (past !== null) feeds['past_key_values'] = past
    this.counters.passes++
    this.counters.tokens += rows.reduce((n, r) => n + r.length, 0)
    const outputs = (await this.network.forward(feeds)) as Record<string, Tensor>
    const logitsTensor = outputs['logits']
    if (logitsTensor === undefined) throw new Error('the model returned no logits')
    const [, steps, vocab] = logitsTensor.dims as [number, number, number]
    const data = (await hostData(logitsTensor)) as Float32Array
    const logits = rows.map((_, r) =>
      Float32Array.from(data.subarray((r * steps + steps - 1) * vocab, (r * steps + steps) * vocab))
    )
    const present: Past = {}
    for (const [name, tensor] of Object.entries(outputs)) {
      if (name.startsWith('present')) present[name.replace(/^present/, 'past_key_values')] = tensor
    }
    return { logits, present }
  }
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
      const reason = firstLine(error)
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

/** The prefix's keys/values repeated for every row of a batch. */
async function tile(past: Past, rows: number): Promise<Past> {
  if (rows === 1) return past
  const out: Past = {}
  for (const [name, tensor] of Object.entries(past)) {
    const data = (await hostData(tensor)) as Float32Array
    const Kind = data.constructor as new (n: number) => Float32Array
    const repeated = new Kind(data.length * rows)
    for (let r = 0; r < rows; r++) repeated.set(data, r * data.length)
    const dims = [...tensor.dims]
    dims[0] = rows
    out[name] = new Tensor(tensor.type as 'float32', repeated, dims)
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
