// Runs a saved head (a graph with one input row [1, width] and one output) over many rows. Used in
// the judge host process, so the workbench's own process never loads the inference runtime.
import * as ort from 'onnxruntime-node'

export async function scoreRows(
  model: string,
  input: string,
  output: string,
  rows: readonly Float32Array[]
): Promise<number[]> {
  const session = await ort.InferenceSession.create(model, { executionProviders: ['cpu'] })
  try {
    const values: number[] = []
    for (const row of rows) {
      const out = await session.run({ [input]: new ort.Tensor('float32', row, [1, row.length]) })
      const data = out[output]?.data
      if (!(data instanceof Float32Array)) throw new Error(`${model} has no float output named ${output}`)
      values.push(data[0] as number)
    }
    return values
  } finally {
    await session.release()
  }
}
