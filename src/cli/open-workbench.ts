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
