// Opens a run and its workspace for a command, with an indexing progress bar on a terminal; on
// failure prints why and returns null.
import type { EventName, EventPayload } from '../shared/contract'
import { Workbench } from '../core/workbench'
import { terminalProgress } from './terminal-progress'

export type Print = (line: string) => void

export interface RunOptions {
  workspace?: string
}

export async function openWorkbench(
  path: string,
  options: RunOptions,
  err: Print,
  onEvent: <E extends EventName>(event: E, payload: EventPayload<E>) => void = () => {}
): Promise<Workbench | null> {
  const progress = terminalProgress('indexing')
  const wb = new Workbench({
    transport: 'cli',
    ...(options.workspace !== undefined && { workspace: options.workspace }),
    emit: (event, payload) => {
      if (event === 'run.progress') progress.update(payload as EventPayload<'run.progress'>)
      onEvent(event, payload)
    },
  })
  try {
    const summary = await wb.open(path)
    if (summary.annotationsProblem !== null) {
      err(`rubric-workbench: ${summary.annotationsProblem}`)
      return null
    }
    return wb
  } catch (error) {
    err(`rubric-workbench: ${(error as Error).message}`)
    return null
  } finally {
    progress.done()
  }
}

/**
 * Opens the run, does `work`, and closes the workbench (stopping its worker threads), whatever
 * happens: a failure prints its message and exits 2.
 */
export async function withWorkbench(
  path: string,
  options: RunOptions,
  err: Print,
  work: (wb: Workbench) => Promise<number>
): Promise<number> {
  const wb = await openWorkbench(path, options, err)
  if (wb === null) return 2
  try {
    return await work(wb)
  } catch (error) {
    err(`rubric-workbench: ${(error as Error).message}`)
    return 2
  } finally {
    await wb.close()
  }
}
