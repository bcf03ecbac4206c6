// Where workspaces live. Kept apart from the Workspace class so that commands that only name a
// workspace (inspect) do not load the store.
import { createHash } from 'node:crypto'
import { realpath } from 'node:fs/promises'
import { homedir } from 'node:os'
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path'

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
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel))
}

/** The real path of a folder that may not exist yet: its nearest existing ancestor, resolved. */
export async function realFolderPath(path: string): Promise<string> {
  const full = resolve(path)
  const real = await realpath(full).catch(() => null)
  if (real !== null) return real
  const parent = dirname(full)
  return parent === full ? full : join(await realFolderPath(parent), basename(full))
}
