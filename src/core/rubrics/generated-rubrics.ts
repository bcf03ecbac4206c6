// Rubrics the workbench generated, kept in the run's workspace as a rubric source of their own
// (`rubrics/generated.jsonl`, append-only, flushed before a line counts), beside the run's rubrics.
// Each is keyed by (generator, template@version, prompt, sample), so a rerun writes only what is
// missing, and carries the EvoLM format check of its text.
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { GeneratedRubric, GeneratedRubricSet } from '../../shared/generated-rubric'
import { appendJsonLines } from '../store/json-lines'

export class GeneratedRubrics {
  private readonly byKey = new Map<string, GeneratedRubric>()
  /** Bumped on every append, so analyses that read the rubrics can tell they are stale. */
  version = 0
  /** Prompt id → key → the latest rubric of that key. */
  private readonly byPrompt = new Map<string, Map<string, GeneratedRubric>>()
  readonly broken: number[] = []

  private constructor(readonly file: string) {}

  static async open(workspaceDir: string): Promise<GeneratedRubrics> {
    const store = new GeneratedRubrics(join(workspaceDir, 'rubrics', 'generated.jsonl'))
    const text = await readFile(store.file, 'utf8').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return ''
      throw error
    })
    text.split('\n').forEach((line, i) => {
      if (line.trim() === '') return
      try {
        store.remember(JSON.parse(line) as GeneratedRubric)
      } catch {
        store.broken.push(i + 1)
      }
    })
    return store
  }

  done(key: string): boolean {
    const r = this.byKey.get(key)
    return r !== undefined && r.error === null
  }

  /** Every generated rubric, the latest per key. */
  all(): GeneratedRubric[] {
    return [...this.byKey.values()]
  }

  forPrompt(promptId: string): GeneratedRubric[] {
    return [...this.byKey.values()]
      .filter((r) => r.promptId === promptId)
      .sort((a, b) => a.id.localeCompare(b.id))
  }

  /** Generator × template sets, with how many rubrics each holds and how many pass the format rule. */
  sets(): GeneratedRubricSet[] {
    const sets = new Map<string, GeneratedRubricSet>()
    for (const r of this.byKey.values()) {
      if (r.error !== null) continue
      const key = JSON.stringify([r.generator, r.template])
      const set = sets.get(key) ?? {
        generator: r.generator,
        template: r.template,
        templateVersion: r.templateVersion,
        rubrics: 0,
        valid: 0,
      }
      set.rubrics++
      if (r.formatValid) set.valid++
      set.templateVersion = Math.max(set.templateVersion, r.templateVersion)
      sets.set(key, set)
    }
    return [...sets.values()]
  }

  async append(rubrics: GeneratedRubric[]): Promise<void> {
    await appendJsonLines(this.file, rubrics)
    for (const r of rubrics) this.remember(r)
    this.version++
  }

  private remember(r: GeneratedRubric): void {
    this.byKey.set(r.key, r)
    const forPrompt = this.byPrompt.get(r.promptId) ?? new Map<string, GeneratedRubric>()
    forPrompt.set(r.key, r)
    this.byPrompt.set(r.promptId, forPrompt)
  }
}
