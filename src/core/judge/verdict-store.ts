// Local verdicts in the run's workspace: append-only JSON Lines, one file per judge setting
// (judge, protocol, template@version, with or without rubric). Appends are flushed to disk before
// a job counts them, so a crash loses at most the item in flight; a torn last line is skipped on
// read and fenced off by a newline before the next append.
import { createHash } from 'node:crypto'
import { mkdir, readFile, readdir } from 'node:fs/promises'
import { join } from 'node:path'
import type { LocalVerdict, VerdictFileIssue } from '../../shared/judge'
import { appendJsonLines } from '../store/json-lines'

export class VerdictStore {
  private readonly byKey = new Map<string, LocalVerdict>()
  private readonly byResponse = new Map<string, LocalVerdict[]>()
  private readonly byRubric = new Map<string, LocalVerdict[]>()
  private readonly listeners = new Set<(verdicts: readonly LocalVerdict[]) => void>()
  readonly issues: VerdictFileIssue[] = []

  private constructor(readonly dir: string) {}

  static async open(workspaceDir: string): Promise<VerdictStore> {
    const store = new VerdictStore(join(workspaceDir, 'judge', 'verdicts'))
    await mkdir(store.dir, { recursive: true })
    for (const name of (await readdir(store.dir)).filter((n) => n.endsWith('.jsonl')).sort()) {
      const text = await readFile(join(store.dir, name), 'utf8')
      text.split('\n').forEach((line, i) => {
        if (line.trim() === '') return
        try {
          store.remember(JSON.parse(line) as LocalVerdict)
        } catch (error) {
          store.issues.push({ file: name, line: i + 1, problem: (error as Error).message })
        }
      })
    }
    return store
  }

  /** Whether a key holds a finished judgement (failed items are tried again). */
  done(key: string): boolean {
    const v = this.byKey.get(key)
    return v !== undefined && v.error === null
  }

  get(key: string): LocalVerdict | undefined {
    return this.byKey.get(key)
  }

  /** Every verdict that judged this response (as the newer side, for pairwise ones). */
  forResponse(responseId: string): LocalVerdict[] {
    return this.byResponse.get(responseId) ?? []
  }

  /** Every verdict given under this rubric. */
  forRubric(rubricId: string): LocalVerdict[] {
    return this.byRubric.get(rubricId) ?? []
  }

  /** Every verdict, the latest per key. */
  all(): LocalVerdict[] {
    return [...this.byKey.values()]
  }

  get size(): number {
    return this.byKey.size
  }

  /** Appends and flushes; the verdicts count only once this resolves. */
  async append(verdicts: LocalVerdict[]): Promise<void> {
    const files = new Map<string, LocalVerdict[]>()
    for (const v of verdicts) {
      const name = fileFor(v)
      const list = files.get(name) ?? []
      list.push(v)
      files.set(name, list)
    }
    for (const [name, list] of files) await appendJsonLines(join(this.dir, name), list)
    for (const v of verdicts) this.remember(v)
    for (const listener of this.listeners) listener(verdicts)
  }

  /** Calls `listener` with every batch of verdicts once it is on disk. */
  onAppend(listener: (verdicts: readonly LocalVerdict[]) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  private remember(v: LocalVerdict): void {
    const previous = this.byKey.get(v.key)
    this.byKey.set(v.key, v)
    replaceIn(this.byResponse, v.responseId, previous, v)
    if (v.rubricId !== null) replaceIn(this.byRubric, v.rubricId, previous, v)
  }
}

/** The latest verdict of a key replaces the one before it in an index list. */
function replaceIn(
  index: Map<string, LocalVerdict[]>,
  at: string,
  previous: LocalVerdict | undefined,
  v: LocalVerdict
): void {
  const list = index.get(at) ?? []
  const i = previous === undefined ? -1 : list.indexOf(previous)
  if (i === -1) list.push(v)
  else list[i] = v
  index.set(at, list)
}

function fileFor(v: LocalVerdict): string {
  const setting = [
    v.judge,
    v.protocol,
    `${v.template}@${v.templateVersion}`,
    v.rubricId === null ? 'no-rubric' : 'rubric',
  ]
  const readable =
    `${v.protocol}-${v.template}-v${v.templateVersion}-${v.rubricId === null ? 'no-rubric' : 'rubric'}`.replace(
      /[^A-Za-z0-9._-]+/g,
      '_'
    )
  const hash = createHash('sha256').update(JSON.stringify(setting)).digest('hex').slice(0, 10)
  return `${readable}-${hash}.jsonl`
}
