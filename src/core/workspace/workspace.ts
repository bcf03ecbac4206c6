// A run's workspace: where everything the workbench computes for a run lives (labels, verdicts,
// caches). Never inside the run folder, which may be read-only or shared.
import { mkdir, realpath } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { Low } from 'lowdb'
import { JSONFile } from 'lowdb/node'
import type { RunFormat } from '../../shared/domain'
import { isInside, realFolderPath } from './location'

export const WORKSPACE_SCHEMA_VERSION = 1

interface WorkspaceDoc {
  schemaVersion: number
  run: { path: string; format: RunFormat | null }
  firstOpened: string | null
  lastOpened: string | null
}

export class Workspace {
  private constructor(
    readonly dir: string,
    private readonly db: Low<WorkspaceDoc>
  ) {}

  /** Create (or reuse) the workspace folder and record that the run was opened. */
  static async open(dir: string, run: { path: string; format: RunFormat }): Promise<Workspace> {
    const runRoot = await realpath(run.path).catch(() => resolve(run.path))
    // Both sides resolved through symlinks: a link must not smuggle the workspace into the run.
    const target = await realFolderPath(dir)
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
    if (db.data.firstOpened !== null && db.data.run.path !== runRoot) {
      throw new Error(
        `workspace ${target} belongs to the run at ${db.data.run.path}; choose another folder for ${runRoot}`
      )
    }
    const now = new Date().toISOString()
    db.data.run = { path: runRoot, format: run.format }
    db.data.firstOpened ??= now
    db.data.lastOpened = now
    await db.write()
    return new Workspace(target, db)
  }
}
