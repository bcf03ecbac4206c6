// A local judge on disk: a Hugging Face-style model folder. Checked before the runtime sees it,
// so a missing or broken file is named instead of surfacing as a runtime stack trace.
import { createHash } from 'node:crypto'
import { readFile, readdir, stat } from 'node:fs/promises'
import { basename, join, resolve } from 'node:path'
import { dtypeSuffix, modelDtypes, type ModelDtype } from '../../shared/judge'

export interface ModelFolder {
  dir: string
  name: string
  /** Weight variants present under onnx/. */
  dtypes: ModelDtype[]
  contextLength: number
  /** Written by scripts/make-tiny-judge.ts: random weights. */
  smokeTest: boolean
  /** Different weights under one folder name get different judge ids. */
  fingerprint: string
}

export class ModelError extends Error {
  constructor(dir: string, problem: string) {
    super(`model ${dir}: ${problem}`)
    this.name = 'ModelError'
  }
}

async function readJson(dir: string, file: string): Promise<Record<string, unknown>> {
  let text: string
  try {
    text = await readFile(join(dir, file), 'utf8')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    throw new ModelError(
      dir,
      code === 'ENOENT' ? `${file} is missing` : `${file} cannot be read (${code ?? String(error)})`
    )
  }
  try {
    const value: unknown = JSON.parse(text)
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      throw new Error('not a JSON object')
    return value as Record<string, unknown>
  } catch (error) {
    throw new ModelError(dir, `${file} is not valid JSON (${(error as Error).message})`)
  }
}

export async function inspectModel(path: string): Promise<ModelFolder> {
  const dir = resolve(path)
  const info = await stat(dir).catch(() => null)
  if (info === null) throw new ModelError(dir, 'no such folder')
  if (!info.isDirectory())
    throw new ModelError(dir, 'is not a folder (give the model folder, which holds config.json and onnx/)')
  const config = await readJson(dir, 'config.json')
  await readJson(dir, 'tokenizer.json')
  const tokenizerConfig = await readJson(dir, 'tokenizer_config.json')
  const hasTemplateFile = await stat(join(dir, 'chat_template.jinja')).then(
    () => true,
    () => false
  )
  if (
    typeof tokenizerConfig['chat_template'] !== 'string' &&
    !Array.isArray(tokenizerConfig['chat_template']) &&
    !hasTemplateFile
  )
    throw new ModelError(
      dir,
      'the tokenizer has no chat template (tokenizer_config.json has no "chat_template" and there is no chat_template.jinja); judges need one to build their prompts'
    )
  const files = await readdir(join(dir, 'onnx')).catch(() => {
    throw new ModelError(dir, 'onnx/ is missing (expected onnx/model.onnx)')
  })
  const dtypes = modelDtypes.filter((d) => files.includes(`model${dtypeSuffix[d]}.onnx`))
  if (dtypes.length === 0)
    throw new ModelError(dir, `onnx/ holds no model*.onnx (found: ${files.join(', ') || 'nothing'})`)
  const contextLength =
    firstNumber(config, ['max_position_embeddings', 'n_positions', 'n_ctx']) ??
    firstNumber(tokenizerConfig, ['model_max_length']) ??
    4096
  const fingerprint = createHash('sha256')
    .update(JSON.stringify(config))
    .update(String((await stat(join(dir, 'onnx', `model${dtypeSuffix[dtypes[0] as ModelDtype]}.onnx`))).size))
    .digest('hex')
    .slice(0, 8)
  return {
    dir,
    name: basename(dir),
    dtypes,
    contextLength,
    smokeTest: config['smoke_test'] === true,
    fingerprint,
  }
}

function firstNumber(record: Record<string, unknown>, keys: string[]): number | null {
  for (const key of keys) {
    const value = record[key]
    // Tokenizers without a limit write a huge sentinel.
    if (typeof value === 'number' && value > 0 && value < 1e7) return value
  }
  return null
}

/** A judge's label in results: folder name and weights, plus a fingerprint of the files. */
export function judgeId(model: ModelFolder, dtype: ModelDtype): string {
  return `${model.name}@${dtype}#${model.fingerprint}`
}
