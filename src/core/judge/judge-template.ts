// Judge prompt templates: plain text files users copy and edit. A header of `key: value` lines,
// then sections `[system]`, `[user]` and `[user without rubric]`; `{{name}}` placeholders.
// Wording lives in files, not code, so a lab can drop in the prompts of the paper it reproduces.
import { readFile, readdir } from 'node:fs/promises'
import { basename, join } from 'node:path'
import { isJudgeProtocol, type JudgeProtocol } from '../../shared/judge'
import { resourcePath } from '../resources'

export interface JudgeTemplate {
  /** Name recorded with every result; with `version` it keys what is already judged. */
  name: string
  version: number
  protocol: JudgeProtocol
  path: string
  system: string | null
  user: string
  userWithoutRubric: string | null
  /** The two competing answers: yes/no (criteria) or first/second labels (pairwise). */
  choices: [string, string] | null
  maxNewTokens: number
  temperature: number
  /** Passed to the model's chat template (Qwen3 reads `enable_thinking`). */
  chatOptions: Record<string, boolean>
}

export class TemplateError extends Error {
  constructor(path: string, problem: string) {
    super(`judge template ${path}: ${problem}`)
    this.name = 'TemplateError'
  }
}

const placeholders: Record<JudgeProtocol, { rubric: string[]; plain: string[] }> = {
  'criteria-logprob': {
    rubric: ['prompt', 'response', 'criterion', 'levels'],
    plain: ['prompt', 'response'],
  },
  'pairwise-logprob': {
    rubric: ['prompt', 'rubric', 'first', 'second'],
    plain: ['prompt', 'first', 'second'],
  },
  'pointwise-json': { rubric: ['prompt', 'rubric', 'response'], plain: ['prompt', 'response'] },
}

const sectionNames = { system: 'system', user: 'user', 'user without rubric': 'userWithoutRubric' } as const

/** A template file's `key: value` header and its sections, by name. */
export function splitTemplate(
  text: string,
  path: string,
  known: readonly string[]
): { header: Record<string, string>; sections: Record<string, string[]> } {
  const header: Record<string, string> = {}
  const sections: Record<string, string[]> = {}
  let current: string[] | null = null
  for (const [n, line] of text.split(/\r?\n/).entries()) {
    const section = /^\[([a-z ]+)\]\s*$/.exec(line)
    if (section !== null) {
      const name = section[1] as string
      if (!known.includes(name))
        throw new TemplateError(
          path,
          `line ${n + 1}: unknown section [${name}] (known: ${known.map((k) => `[${k}]`).join(', ')})`
        )
      current = sections[name] = []
    } else if (current !== null) current.push(line)
    else if (line.trim() === '' || line.startsWith('#')) continue
    else {
      const field = /^([a-z_]+):\s*(.*)$/.exec(line)
      if (field === null) throw new TemplateError(path, `line ${n + 1}: expected "key: value" or a [section]`)
      header[field[1] as string] = (field[2] as string).trim()
    }
  }
  return { header, sections }
}

export function parseTemplate(text: string, path: string): JudgeTemplate {
  const { header, sections } = splitTemplate(text, path, Object.keys(sectionNames))
  const protocol = header['protocol']
  if (!isJudgeProtocol(protocol))
    throw new TemplateError(path, `unknown protocol ${JSON.stringify(protocol ?? '')}`)
  const version = Number(header['version'])
  if (!Number.isInteger(version) || version < 1)
    throw new TemplateError(path, '"version" must be a whole number ≥ 1')
  const name = header['name'] ?? basename(path).replace(/\.v\d+\.txt$|\.txt$/, '')
  if (!/^[A-Za-z0-9._-]{1,80}$/.test(name))
    throw new TemplateError(path, `"name" may hold letters, digits, . _ - only`)
  const body = (key: string): string | null => {
    const lines = sections[key]
    return lines === undefined ? null : lines.join('\n').trim()
  }
  const user = body('user')
  if (user === null || user === '') throw new TemplateError(path, 'a [user] section is required')
  const template: JudgeTemplate = {
    name,
    version,
    protocol,
    path,
    system: body('system'),
    user,
    userWithoutRubric: body('user without rubric'),
    choices: null,
    maxNewTokens: numberField(header, 'max_new_tokens', 384, path),
    temperature: numberField(header, 'temperature', 0, path),
    chatOptions: {},
  }
  if (header['enable_thinking'] !== undefined)
    template.chatOptions['enable_thinking'] = header['enable_thinking'] === 'true'
  if (protocol === 'criteria-logprob') template.choices = [header['yes'] ?? 'Yes', header['no'] ?? 'No']
  if (protocol === 'pairwise-logprob') template.choices = [header['first'] ?? 'A', header['second'] ?? 'B']
  if (template.choices !== null && template.choices[0] === template.choices[1])
    throw new TemplateError(path, 'the two answers must differ')
  checkPlaceholders(template, path)
  return template
}

function numberField(header: Record<string, string>, key: string, fallback: number, path: string): number {
  const raw = header[key]
  if (raw === undefined) return fallback
  const value = Number(raw)
  if (!Number.isFinite(value) || value < 0) throw new TemplateError(path, `"${key}" must be a number ≥ 0`)
  return value
}

function checkPlaceholders(template: JudgeTemplate, path: string): void {
  const allowed = placeholders[template.protocol]
  const check = (text: string | null, names: string[], section: string): void => {
    for (const match of (text ?? '').matchAll(/\{\{\s*([^}]*?)\s*\}\}/g)) {
      const name = match[1] as string
      if (!names.includes(name))
        throw new TemplateError(
          path,
          `[${section}] uses {{${name}}}; ${template.protocol} offers ${names.map((x) => `{{${x}}}`).join(' ')}`
        )
    }
  }
  check(template.system, allowed.plain, 'system')
  check(template.user, allowed.rubric, 'user')
  check(template.userWithoutRubric, allowed.plain, 'user without rubric')
}

/** Fills `{{name}}` placeholders; the values are inserted literally (never re-expanded). */
export function fill(text: string, values: Record<string, string>): string {
  return text.replace(/\{\{\s*([^}]*?)\s*\}\}/g, (whole, name: string) => values[name] ?? whole)
}

/** A template file's text, or a TemplateError naming the file. */
export async function readTemplateText(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8')
  } catch (error) {
    throw new TemplateError(
      path,
      `cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`
    )
  }
}

export async function readTemplate(path: string): Promise<JudgeTemplate> {
  return parseTemplate(await readTemplateText(path), path)
}

export function bundledTemplatesDir(): string {
  return resourcePath('templates')
}

/** The bundled template of a protocol (the newest version shipped). */
export async function bundledTemplate(protocol: JudgeProtocol): Promise<JudgeTemplate> {
  const all = await listTemplates()
  const mine = all.filter((t) => t.protocol === protocol).sort((a, b) => b.version - a.version)
  const newest = mine[0]
  if (newest === undefined) throw new Error(`no bundled template for ${protocol} in ${bundledTemplatesDir()}`)
  return newest
}

export async function listTemplates(dir = bundledTemplatesDir()): Promise<JudgeTemplate[]> {
  const names = (await readdir(dir)).filter((n) => n.endsWith('.txt')).sort()
  return Promise.all(names.map((n) => readTemplate(join(dir, n))))
}
