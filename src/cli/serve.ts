// `rubric-workbench serve [PATH]`: the workbench in a browser, for remote GPU machines.
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { startServer, isLoopbackHost, type RunningServer } from '../core/serve/serve-server'
import { Workbench } from '../core/workbench'
import { rendererDir } from './paths'
import { terminalProgress } from './terminal-progress'
import type { EventPayload } from '../shared/contract'

export interface ServeCommandOptions {
  host: string
  port: number
  workspace?: string
  /** Where the built renderer is; tests point at their own build. */
  staticDir?: string
}

export interface ServeHandle {
  server: RunningServer
  workbench: Workbench
  /** Resolves when the run has been indexed (or rejects with why it could not be). */
  opened: Promise<unknown>
}

export async function serveCommand(
  path: string,
  options: ServeCommandOptions,
  out: (line: string) => void,
  err: (line: string) => void
): Promise<ServeHandle> {
  const staticDir = options.staticDir ?? rendererDir
  if (!existsSync(join(staticDir, 'index.html'))) {
    throw new Error(
      `the renderer is not built (${staticDir}/index.html is missing); run \`npm run build\` first`
    )
  }
  if (!isLoopbackHost(options.host)) {
    err(
      `warning: serving on ${options.host}, reachable from other machines. Anyone with the token can read this run; ` +
        'prefer the default loopback address with an SSH tunnel.'
    )
  }
  let server: RunningServer | null = null
  const progress = terminalProgress('indexing')
  const workbench = new Workbench({
    transport: 'serve',
    workspace: options.workspace,
    emit: (event, payload) => {
      if (event === 'run.progress') progress.update(payload as EventPayload<'run.progress'>)
      server?.broadcast(event, payload)
    },
  })
  server = await startServer({
    handlers: workbench.handlers,
    staticDir,
    host: options.host,
    port: options.port,
  })
  // The URL is printed before indexing finishes: the page shows progress while a large run loads.
  out(`Rubric Workbench: ${server.url}`)
  const opened = workbench.open(path).finally(() => progress.done())
  opened.then(
    (summary) =>
      err(`opened ${summary.name}: ${summary.counts.pairs} pairs, ${summary.counts.errors} unreadable lines`),
    (error: unknown) => err(`rubric-workbench: cannot open ${path}: ${(error as Error).message}`)
  )
  return { server, workbench, opened }
}
