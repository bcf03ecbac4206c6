// A run's workspace: where everything the workbench computes for a run lives (labels, verdicts,
// caches). Never inside the run folder, which may be read-only or shared.
import { createHash } from 'node:crypto'
import { mkdir, realpath } from 'node:fs/promises'
import { homedir } from 'node:os'
import { basename, join, relative, resolve, isAbsolute } from 'node:path'
import { Low } from 'lowdb'
import { JSONFile } from 'lowdb/node'
import type { RunFormat } from '../../shared/domain'

export const WORKSPACE_SCHEMA_VERSION = 1

interface WorkspaceDoc {
  schemaVersion: number
  run: { path: string; format: RunFormat | null }
  firstOpened: string | null
  lastOpened: string | null
}

/** The per-user application-data folder, as Electron's app.getPath('appData') would give it. */
export function appDataDir(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform
): string {
  if (platform === 'win32') return env['APPDATA'] ?? join(homedir(), 'AppData', 'Roaming')
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support')
  return env['XDG_CONFIG_HOME'] ?? join(homedir(), '.config')
}

/** Where workspaces go by default; RUBRIC_WORKBENCH_HOME moves them (tests, portable setups). */
export function workspacesRoot(env: NodeJS.ProcessEnv = process.env): string {
  const home = env['RUBRIC_WORKBENCH_HOME']
  return home !== undefined && home !== ''
    ? join(home, 'workspaces')
    : join(appDataDir(env), 'rubric-workbench', 'workspaces')
}

/** The default workspace of a run: one folder per run, named for it and keyed by its real path. */
export async function defaultWorkspaceFor(
  runPath: string,
  env: NodeJS.ProcessEnv = process.env
): Promise<string> {
  const real = await realpath(runPath).catch(() => resolve(runPath))
  const hash = createHash('sha256').update(real).digest('hex').slice(0, 10)
  const name =
    basename(real)
      .replace(/[^A-Za-z0-9._-]+/g, '_')
      .slice(0, 40) || 'run'
  return join(workspacesRoot(env), `${name}-${hash}`)
}

export function isInside(parent: string, child: string): boolean {
  const rel = relative(resolve(parent), resolve(child))
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel))
}

export class Workspace {
  private constructor(
    readonly dir: string,
    private readonly db: Low<WorkspaceDoc>
  ) {}

  /** Create (or reuse) the workspace folder and record that the run was opened. */
  static async open(dir: string, run: { path: string; format: RunFormat }): Promise<Workspace> {
    const runRoot = await realpath(run.path).catch(() => resolve(run.path))
    const target = resolve(dir)
    if (isInside(runRoot, target)) {
      throw new Error(
        `workspace ${target} is inside the run folder ${runRoot}; choose a folder outside the run`
      )
    }
    await mkdir(target, { recursive: true })
    const defaults: WorkspaceDoc = {
      schemaVersion: WORKSPACE_SCHEMA_VERSION,
      run: { path: runRoot, format: null },
      firstOpened: null,
      lastOpened: null,
    }
    // Constructed directly: JSONFilePreset would silently keep the document in memory under NODE_ENV=test.
    const db = new Low<WorkspaceDoc>(new JSONFile<WorkspaceDoc>(join(target, 'workspace.json')), defaults)
    await db.read()
    const now = new Date().toISOString()
    db.data.run = { path: runRoot, format: run.format }
    db.data.firstOpened ??= now
    db.data.lastOpened = now
    await db.write()
    return new Workspace(target, db)
  }

  get runPath(): string {
    return this.db.data.run.path
  }
}
