// Final hidden states from a judge whose ONNX export gives logits only (the usual export for
// generation). The tensor that feeds the language-model head is there in the graph, just not an
// output: a copy of the folder whose graph also outputs it (as float32, `last_hidden_state`)
// lets the engine embed responses with real hidden states. The copy links every other file
// (tokenizer, config, external weight data) to the original, so only the graph is written; it
// is kept, stamped with the original's size and time, and made again when the original changes.
import { createHash } from 'node:crypto'
import { copyFile, mkdir, readdir, readFile, rename, rm, stat, symlink, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import onnxProto, { type onnx as Onnx } from 'onnx-proto'
import { dtypeSuffix, type ModelDtype } from '../../shared/judge'
import type { ModelFolder } from './model-folder'

const { onnx } = onnxProto

export const HIDDEN_OUTPUT = 'last_hidden_state'

/** Ops that pass a tensor on unchanged in meaning, walked back through from `logits`. */
const PASS_THROUGH = new Set(['Cast', 'Identity'])
/** The head's projection: its first input is the hidden state. */
const PROJECTIONS = new Set(['MatMul', 'MatMulNBits', 'Gemm', 'FusedMatMul', 'MatMulInteger'])

/**
 * Adds `last_hidden_state` to the graph (in place, so a large model is not copied); false with the
 * reason when it has the output already or no projection feeds `logits`.
 */
export function addHiddenOutput(model: Onnx.IModelProto): { added: boolean; reason: string } {
  const graph = model.graph
  if (graph === null || graph === undefined) return { added: false, reason: 'the model has no graph' }
  if ((graph.output ?? []).some((o) => o.name === HIDDEN_OUTPUT))
    return { added: false, reason: `the graph already outputs ${HIDDEN_OUTPUT}` }
  const producer = new Map<string, Onnx.INodeProto>()
  for (const node of graph.node ?? []) for (const out of node.output ?? []) producer.set(out, node)
  let node = producer.get('logits')
  while (node !== undefined && PASS_THROUGH.has(node.opType ?? '')) node = producer.get(node.input?.[0] ?? '')
  const hidden = node !== undefined && PROJECTIONS.has(node.opType ?? '') ? node.input?.[0] : undefined
  if (hidden === undefined || hidden === '')
    return { added: false, reason: 'no projection that feeds logits was found in the graph' }
  const cast: Onnx.INodeProto = {
    name: 'rubric_workbench_last_hidden_state',
    opType: 'Cast',
    input: [hidden],
    output: [HIDDEN_OUTPUT],
    attribute: [
      { name: 'to', type: onnx.AttributeProto.AttributeType.INT, i: onnx.TensorProto.DataType.FLOAT },
    ],
  }
  const output: Onnx.IValueInfoProto = {
    name: HIDDEN_OUTPUT,
    type: {
      tensorType: {
        elemType: onnx.TensorProto.DataType.FLOAT,
        shape: {
          dim: [{ dimParam: 'batch_size' }, { dimParam: 'sequence_length' }, { dimParam: 'hidden_size' }],
        },
      },
    },
  }
  graph.node = [...(graph.node ?? []), onnx.NodeProto.create(cast)]
  graph.output = [...(graph.output ?? []), onnx.ValueInfoProto.create(output)]
  return { added: true, reason: '' }
}

/**
 * A folder like `model`'s whose `dtype` graph also outputs the final hidden states, made under
 * `root` (or found there from before); null with the reason when the graph cannot give them.
 */
export async function withHiddenOutput(
  model: ModelFolder,
  dtype: ModelDtype,
  root: string
): Promise<{ dir: string | null; reason: string }> {
  const file = `model${dtypeSuffix[dtype]}.onnx`
  const source = join(model.dir, 'onnx', file)
  const info = await stat(source)
  const stamp = JSON.stringify({ source, size: info.size, mtime: info.mtimeMs })
  const dir = join(
    root,
    `${model.name.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 60)}-${createHash('sha256').update(stamp).digest('hex').slice(0, 12)}-${dtype}`
  )
  const stampFile = join(dir, 'rubric-workbench-derived.json')
  if ((await readFile(stampFile, 'utf8').catch(() => null)) === stamp) return { dir, reason: '' }
  // A graph that needs no copy (or cannot have one) is noted, so it is not read again next time.
  const noCopy = `${dir}.none`
  const known = await readFile(noCopy, 'utf8').catch(() => null)
  if (known !== null) return { dir: null, reason: known }
  const decoded = onnx.ModelProto.decode(await readFile(source))
  const changed = addHiddenOutput(decoded)
  if (!changed.added) {
    await mkdir(root, { recursive: true })
    await writeFile(noCopy, changed.reason)
    return { dir: null, reason: changed.reason }
  }
  // Made aside and renamed into place: a folder that is there is whole.
  const staging = `${dir}.tmp-${process.pid}`
  await rm(staging, { recursive: true, force: true })
  await mkdir(join(staging, 'onnx'), { recursive: true })
  for (const sub of ['', 'onnx']) {
    for (const entry of await readdir(join(model.dir, sub), { withFileTypes: true })) {
      if (!entry.isFile() || (sub === 'onnx' && entry.name === file)) continue
      const from = join(model.dir, sub, entry.name)
      const to = join(staging, sub, entry.name)
      // A link where the system allows one (weights can be gigabytes), a copy where it does not.
      await symlink(from, to).catch(() => copyFile(from, to))
    }
  }
  await writeFile(join(staging, 'onnx', file), onnx.ModelProto.encode(decoded).finish())
  await writeFile(join(staging, 'rubric-workbench-derived.json'), stamp)
  await rm(dir, { recursive: true, force: true })
  await rename(staging, dir)
  return { dir, reason: '' }
}
