// Starts one of the core's child processes (the judge host). Like worker-thread.ts: in the build the
// entry is a .js beside the calling chunk; from sources it is the .ts beside the caller, run by tsx.
// In Electron, process.execPath is the app binary, which ELECTRON_RUN_AS_NODE turns into Node.
import { fork, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'

export function startProcess(base: string, entry: string): ChildProcess {
  const fromSources = base.endsWith('.ts')
  const leaf = entry.slice(entry.lastIndexOf('/') + 1)
  const file = fileURLToPath(new URL(fromSources ? `${entry}.ts` : `./${leaf}.js`, base))
  return fork(file, [], {
    execArgv: fromSources ? ['--import', 'tsx'] : [],
    env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    serialization: 'advanced',
  })
}
