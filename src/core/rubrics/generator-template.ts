// Rubric-generator templates: the same plain-text format as judge templates (a `key: value`
// header, then [system] and [user]), with `kind: rubric-generator`. Bundled: v2 (5–10 weighted
// criteria with scoring levels) and v3 (a dealbreaker plus 2–5 supporting criteria).
import { basename } from 'node:path'
import { TemplateError, readTemplateText, splitTemplate } from '../judge/judge-template'
import { resourcePath } from '../resources'

export interface GeneratorTemplate {
  name: string
  version: number
  path: string
  system: string | null
  user: string
  maxNewTokens: number
  temperature: number
  chatOptions: Record<string, boolean>
}

const offered = ['prompt', 'reference']

export function parseGeneratorTemplate(text: string, path: string): GeneratorTemplate {
  const { header, sections } = splitTemplate(text, path, ['system', 'user'])
  if (header['kind'] !== 'rubric-generator')
    throw new TemplateError(
      path,
      'is not a rubric-generator template (its header needs "kind: rubric-generator")'
    )
  const version = Number(header['version'])
  if (!Number.isInteger(version) || version < 1)
    throw new TemplateError(path, '"version" must be a whole number ≥ 1')
  const name = header['name'] ?? basename(path).replace(/\.v\d+\.txt$|\.txt$/, '')
  if (!/^[A-Za-z0-9._-]{1,80}$/.test(name))
    throw new TemplateError(path, '"name" may hold letters, digits, . _ - only')
  const user = sections['user']?.join('\n').trim() ?? ''
  if (user === '') throw new TemplateError(path, 'a [user] section is required')
  const system = sections['system']?.join('\n').trim() ?? null
  for (const [section, body] of [
    ['system', system],
    ['user', user],
  ] as const)
    for (const match of (body ?? '').matchAll(/\{\{\s*([^}]*?)\s*\}\}/g))
      if (!offered.includes(match[1] as string))
        throw new TemplateError(
          path,
          `[${section}] uses {{${match[1] as string}}}; a rubric generator offers {{prompt}} {{reference}}`
        )
  const number = (key: string, fallback: number): number => {
    const raw = header[key]
    const value = raw === undefined ? fallback : Number(raw)
    if (!Number.isFinite(value) || value < 0) throw new TemplateError(path, `"${key}" must be a number ≥ 0`)
    return value
  }
  return {
    name,
    version,
    path,
    system: system === '' ? null : system,
    user,
    maxNewTokens: Math.max(1, Math.floor(number('max_new_tokens', 512))),
    temperature: number('temperature', 0.8),
    chatOptions:
      header['enable_thinking'] === undefined
        ? {}
        : { enable_thinking: header['enable_thinking'] === 'true' },
  }
}

/** `v2`, `v3` (the bundled templates) or a template file. */
export async function readGeneratorTemplate(nameOrPath: string): Promise<GeneratorTemplate> {
  const path =
    nameOrPath === 'v2' || nameOrPath === 'v3'
      ? resourcePath('templates', 'rubrics', `rubric-${nameOrPath}.v1.txt`)
      : nameOrPath
  return parseGeneratorTemplate(await readTemplateText(path), path)
}
