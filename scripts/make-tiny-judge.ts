// Writes the smoke-test judge: a GPT-2-style decoder with RANDOM weights (seeded, so every machine
// gets the same bytes), a byte-level tokenizer and a ChatML chat template, laid out as a Hugging
// Face model folder (config.json, tokenizer.json, tokenizer_config.json, onnx/model.onnx). It judges
// nothing meaningfully; it exists so that every judge path runs offline, fast, on any machine.
//
// The ONNX inputs carry the Hugging Face export dimension names (batch_size, sequence_length,
// past_sequence_length, total_sequence_length): the runtime sizes the empty key/value cache from
// them. Usage: tsx scripts/make-tiny-judge.ts [OUT_DIR] [--force] [--ignore-padding]
// --ignore-padding writes a variant whose attention ignores the attention mask, as some exported
// graphs do; the engine must notice and stop batching padded rows.
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import onnxProto, { type onnx as Onnx } from 'onnx-proto'
import { floatAttr, floatTensor, int64Tensor, intAttr, intsAttr } from '../src/core/training/graph'
import { mulberry32 } from '../src/shared/seeded-random'

const { onnx } = onnxProto

/** Bump when the graph, weights or tokenizer change: the folder is rewritten when its stamp differs. */
const FORMAT = 7
const SEED = 20261127

const HIDDEN = 64
const HEADS = 4
const HEAD_DIM = HIDDEN / HEADS
const LAYERS = 2
const FFN = 4 * HIDDEN
const CONTEXT = 2048

const SPECIAL = ['<|endoftext|>', '<|im_start|>', '<|im_end|>'] as const
const VOCAB = 256 + SPECIAL.length

const FLOAT = onnx.TensorProto.DataType.FLOAT
const INT64 = onnx.TensorProto.DataType.INT64
const BOOL = onnx.TensorProto.DataType.BOOL

type Dim = number | string

const root = fileURLToPath(new URL('..', import.meta.url))

function main(): void {
  const args = process.argv.slice(2)
  const out = args.find((a) => !a.startsWith('--')) ?? join(root, 'resources', 'models', 'tiny-judge')
  writeTinyJudge(out, {
    force: args.includes('--force'),
    ignorePadding: args.includes('--ignore-padding'),
    logitsOnly: args.includes('--logits-only'),
  })
}

export function writeTinyJudge(
  out: string,
  /** `logitsOnly`: no hidden-state output, as most exports for generation. */
  options: { force?: boolean; ignorePadding?: boolean; logitsOnly?: boolean } = {}
): void {
  const force = options.force === true
  const stampFile = join(out, 'smoke-test-model.json')
  if (!force && existsSync(stampFile)) {
    try {
      const stamp = JSON.parse(readFileSync(stampFile, 'utf8')) as {
        format?: unknown
        ignores_padding?: unknown
        logits_only?: unknown
      }
      if (
        stamp.format === FORMAT &&
        (stamp.ignores_padding === true) === (options.ignorePadding === true) &&
        (stamp.logits_only === true) === (options.logitsOnly === true)
      )
        return
    } catch {
      // An unreadable stamp means an unknown folder: rewrite it.
    }
  }
  const staging = `${out}.tmp-${process.pid}`
  rmSync(staging, { recursive: true, force: true })
  mkdirSync(join(staging, 'onnx'), { recursive: true })
  writeFileSync(
    join(staging, 'onnx', 'model.onnx'),
    buildModel(options.ignorePadding === true, options.logitsOnly !== true)
  )
  writeJson(join(staging, 'config.json'), config())
  writeJson(join(staging, 'generation_config.json'), {
    bos_token_id: 256,
    eos_token_id: 258,
    pad_token_id: 256,
  })
  writeJson(join(staging, 'tokenizer.json'), tokenizer())
  writeJson(join(staging, 'tokenizer_config.json'), tokenizerConfig())
  writeFileSync(
    join(staging, 'README.md'),
    '# tiny-judge (smoke-test model)\n\nRandom weights. This model judges nothing: it is a ' +
      'GPT-2-style decoder of two layers with a byte-level tokenizer, written by ' +
      '`scripts/make-tiny-judge.ts` so that every judge path of Rubric Workbench runs offline. ' +
      'Its scores are noise. Use a real judge for real work (see the README).\n'
  )
  writeJson(stampFile.replace(out, staging), {
    format: FORMAT,
    seed: SEED,
    ignores_padding: options.ignorePadding === true,
    logits_only: options.logitsOnly === true,
    smoke_test: true,
    note: 'random weights: scores from this model carry no meaning',
  })
  rmSync(out, { recursive: true, force: true })
  mkdirSync(dirname(out), { recursive: true })
  renameSync(staging, out)
  console.log(`wrote the smoke-test judge to ${out}`)
}

function writeJson(path: string, value: unknown): void {
  writeFileSync(path, `${JSON.stringify(value, null, 2)}\n`)
}

function config(): Record<string, unknown> {
  return {
    model_type: 'gpt2',
    architectures: ['GPT2LMHeadModel'],
    vocab_size: VOCAB,
    n_embd: HIDDEN,
    n_head: HEADS,
    n_layer: LAYERS,
    n_positions: CONTEXT,
    n_ctx: CONTEXT,
    bos_token_id: 256,
    eos_token_id: 258,
    pad_token_id: 256,
    smoke_test: true,
  }
}

// --- tokenizer -----------------------------------------------------------------------------------

/** Byte-level BPE's printable stand-ins for the 256 byte values (the usual GPT-2 table). */
function byteSymbols(): string[] {
  const printable: number[] = []
  for (let b = 33; b <= 126; b++) printable.push(b)
  for (let b = 161; b <= 172; b++) printable.push(b)
  for (let b = 174; b <= 255; b++) printable.push(b)
  const symbols: string[] = new Array<string>(256)
  let extra = 0
  for (let b = 0; b < 256; b++) {
    symbols[b] = printable.includes(b) ? String.fromCharCode(b) : String.fromCharCode(256 + extra++)
  }
  return symbols
}

function tokenizer(): Record<string, unknown> {
  const vocab: Record<string, number> = {}
  byteSymbols().forEach((symbol, id) => (vocab[symbol] = id))
  SPECIAL.forEach((token, i) => (vocab[token] = 256 + i))
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: SPECIAL.map((content, i) => ({
      id: 256 + i,
      content,
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: true,
    })),
    normalizer: null,
    pre_tokenizer: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true },
    post_processor: null,
    decoder: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: false,
      byte_fallback: false,
      vocab,
      merges: [],
    },
  }
}

function tokenizerConfig(): Record<string, unknown> {
  // ChatML, as Qwen models use: a template that ends in an open assistant turn when asked to.
  const chatTemplate =
    '{% for message in messages %}{{ "<|im_start|>" + message["role"] + "\\n" + message["content"] + "<|im_end|>\\n" }}{% endfor %}' +
    '{% if add_generation_prompt %}{{ "<|im_start|>assistant\\n" }}{% endif %}'
  return {
    tokenizer_class: 'GPT2Tokenizer',
    bos_token: '<|endoftext|>',
    eos_token: '<|im_end|>',
    pad_token: '<|endoftext|>',
    unk_token: null,
    add_bos_token: false,
    add_prefix_space: false,
    model_max_length: CONTEXT,
    clean_up_tokenization_spaces: false,
    chat_template: chatTemplate,
  }
}

// --- graph ---------------------------------------------------------------------------------------

class GraphBuilder {
  readonly nodes: Onnx.INodeProto[] = []
  readonly initializers: Onnx.ITensorProto[] = []
  private count = 0
  private readonly random = mulberry32(SEED)

  node(op: string, inputs: string[], attributes: Onnx.IAttributeProto[] = [], outputName?: string): string {
    const output = outputName ?? `${op.toLowerCase()}_${this.count++}`
    this.nodes.push({
      opType: op,
      input: inputs,
      output: [output],
      name: `n${this.nodes.length}`,
      attribute: attributes,
    })
    return output
  }

  floats(name: string, dims: number[], values: Float32Array): string {
    this.initializers.push(floatTensor(name, dims, values))
    return name
  }

  ints(name: string, values: number[]): string {
    this.initializers.push(int64Tensor(name, values))
    return name
  }

  scalar(name: string, value: number): string {
    return this.floats(name, [], Float32Array.of(value))
  }

  /** Weights drawn uniformly with the given spread (mean 0): reproducible from the seed. */
  randomWeights(name: string, dims: number[], spread: number): string {
    const size = dims.reduce((a, b) => a * b, 1)
    const values = new Float32Array(size)
    for (let i = 0; i < size; i++) values[i] = (this.random() * 2 - 1) * spread
    return this.floats(name, dims, values)
  }

  constant(name: string, dims: number[], value: number): string {
    return this.floats(name, dims, new Float32Array(dims.reduce((a, b) => a * b, 1)).fill(value))
  }
}

function valueInfo(name: string, elemType: number, dims: Dim[]): Onnx.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType,
        shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  }
}

function layerNorm(g: GraphBuilder, x: string, prefix: string): string {
  const scale = g.constant(`${prefix}.weight`, [HIDDEN], 1)
  const bias = g.constant(`${prefix}.bias`, [HIDDEN], 0)
  return g.node('LayerNormalization', [x, scale, bias], [intAttr('axis', -1), floatAttr('epsilon', 1e-5)])
}

function linear(g: GraphBuilder, x: string, prefix: string, inputs: number, outputs: number): string {
  const w = g.randomWeights(`${prefix}.weight`, [inputs, outputs], 1 / Math.sqrt(inputs))
  const b = g.randomWeights(`${prefix}.bias`, [outputs], 0.02)
  return g.node('Add', [g.node('MatMul', [x, w]), b])
}

/** [B,S,D] → [B,H,S,hd] */
function splitHeads(g: GraphBuilder, x: string, shape: string): string {
  return g.node('Transpose', [g.node('Reshape', [x, shape])], [intsAttr('perm', [0, 2, 1, 3])])
}

function buildModel(ignorePadding: boolean, hiddenOutput: boolean): Uint8Array {
  const g = new GraphBuilder()
  const headShape = g.ints('shape.heads', [0, 0, HEADS, HEAD_DIM])
  const hiddenShape = g.ints('shape.hidden', [0, 0, HIDDEN])
  const zero = g.ints('const.zero', [0])
  const one = g.ints('const.one', [1])
  const two = g.ints('const.two', [2])
  const axis0 = g.ints('const.axis0', [0])
  const minusInf = g.scalar('const.masked', -1e9)
  const noMask = g.scalar('const.open', 0)

  // Embeddings: tokens plus learned positions (positions come from the caller, so padded batches
  // and a reused key/value prefix place every token where a full pass would).
  const wte = g.randomWeights('wte', [VOCAB, HIDDEN], 1)
  const wpe = g.randomWeights('wpe', [CONTEXT, HIDDEN], 0.5)
  let x = g.node('Add', [g.node('Gather', [wte, 'input_ids']), g.node('Gather', [wpe, 'position_ids'])])

  // Mask [B,1,S,T]: key j is visible to query i when j <= past + i and attention_mask[b, j] = 1.
  const total = g.node('Slice', [g.node('Shape', ['attention_mask']), one, two, axis0])
  const queries = g.node('Slice', [g.node('Shape', ['input_ids']), one, two, axis0])
  const past = g.node('Sub', [total, queries])
  const totalScalar = g.node('Squeeze', [total, axis0])
  const pastScalar = g.node('Squeeze', [past, axis0])
  const zeroScalar = g.node('Squeeze', [zero, axis0])
  const oneScalar = g.node('Squeeze', [one, axis0])
  const keyPositions = g.node('Unsqueeze', [g.node('Range', [zeroScalar, totalScalar, oneScalar]), axis0])
  const queryPositions = g.node('Unsqueeze', [g.node('Range', [pastScalar, totalScalar, oneScalar]), one])
  const causal = g.node('LessOrEqual', [keyPositions, queryPositions]) // [S,T]
  const padded = g.node('Cast', ['attention_mask'], [intAttr('to', BOOL)])
  const keyVisible = g.node('Unsqueeze', [padded, g.ints('const.axes12', [1, 2])]) // [B,1,1,T]
  const visible = ignorePadding ? causal : g.node('And', [causal, keyVisible]) // [B,1,S,T]
  const bias = g.node('Where', [visible, noMask, minusInf])
  const scale = g.scalar('const.scale', 1 / Math.sqrt(HEAD_DIM))

  for (let l = 0; l < LAYERS; l++) {
    const p = `h.${l}`
    const h = layerNorm(g, x, `${p}.ln_1`)
    const q = splitHeads(g, linear(g, h, `${p}.attn.q`, HIDDEN, HIDDEN), headShape)
    const k = splitHeads(g, linear(g, h, `${p}.attn.k`, HIDDEN, HIDDEN), headShape)
    const v = splitHeads(g, linear(g, h, `${p}.attn.v`, HIDDEN, HIDDEN), headShape)
    const keys = g.node('Concat', [`past_key_values.${l}.key`, k], [intAttr('axis', 2)], `present.${l}.key`)
    const values = g.node(
      'Concat',
      [`past_key_values.${l}.value`, v],
      [intAttr('axis', 2)],
      `present.${l}.value`
    )
    const scores = g.node('Add', [
      g.node('Mul', [
        g.node('MatMul', [q, g.node('Transpose', [keys], [intsAttr('perm', [0, 1, 3, 2])])]),
        scale,
      ]),
      bias,
    ])
    const attended = g.node('MatMul', [g.node('Softmax', [scores], [intAttr('axis', -1)]), values])
    const merged = g.node('Reshape', [
      g.node('Transpose', [attended], [intsAttr('perm', [0, 2, 1, 3])]),
      hiddenShape,
    ])
    x = g.node('Add', [x, linear(g, merged, `${p}.attn.out`, HIDDEN, HIDDEN)])

    const m = layerNorm(g, x, `${p}.ln_2`)
    const up = linear(g, m, `${p}.mlp.up`, HIDDEN, FFN)
    // GELU from Erf, which every opset-17 runtime has.
    const gelu = g.node('Mul', [
      g.node('Mul', [up, g.scalar(`${p}.half`, 0.5)]),
      g.node('Add', [
        g.node('Erf', [g.node('Mul', [up, g.scalar(`${p}.rsqrt2`, Math.SQRT1_2)])]),
        g.scalar(`${p}.one`, 1),
      ]),
    ])
    x = g.node('Add', [x, linear(g, gelu, `${p}.mlp.down`, FFN, HIDDEN)])
  }
  const final = layerNorm(g, x, 'ln_f')
  // The final hidden states as an output too: the reward head trains on response embeddings.
  if (hiddenOutput) g.node('Identity', [final], [], 'last_hidden_state')
  const head = g.randomWeights('lm_head', [HIDDEN, VOCAB], 2 / Math.sqrt(HIDDEN))
  g.node('MatMul', [final, head], [], 'logits')

  const inputs: Onnx.IValueInfoProto[] = [
    valueInfo('input_ids', INT64, ['batch_size', 'sequence_length']),
    valueInfo('attention_mask', INT64, ['batch_size', 'total_sequence_length']),
    valueInfo('position_ids', INT64, ['batch_size', 'sequence_length']),
  ]
  const outputs: Onnx.IValueInfoProto[] = [
    valueInfo('logits', FLOAT, ['batch_size', 'sequence_length', VOCAB]),
    ...(hiddenOutput
      ? [valueInfo('last_hidden_state', FLOAT, ['batch_size', 'sequence_length', HIDDEN])]
      : []),
  ]
  for (let l = 0; l < LAYERS; l++) {
    for (const kind of ['key', 'value']) {
      inputs.push(
        valueInfo(`past_key_values.${l}.${kind}`, FLOAT, [
          'batch_size',
          HEADS,
          'past_sequence_length',
          HEAD_DIM,
        ])
      )
      outputs.push(
        valueInfo(`present.${l}.${kind}`, FLOAT, ['batch_size', HEADS, 'total_sequence_length', HEAD_DIM])
      )
    }
  }
  const model: Onnx.IModelProto = {
    irVersion: 8,
    producerName: 'rubric-workbench make-tiny-judge',
    docString: 'Smoke-test judge with random weights. Its outputs carry no meaning.',
    opsetImport: [{ domain: '', version: 17 }],
    graph: { name: 'tiny-judge', node: g.nodes, initializer: g.initializers, input: inputs, output: outputs },
  }
  return onnx.ModelProto.encode(onnx.ModelProto.create(model)).finish()
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) main()
