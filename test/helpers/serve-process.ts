// Starts the built CLI's `serve` in a child process and waits for the line that prints its URL.
import { spawn, type ChildProcess } from 'node:child_process'
import { dirname, join } from 'node:path'
import { createInterface } from 'node:readline'
import type { TestContext } from 'node:test'

export const packageRoot = join(import.meta.dirname, '..', '..')
export const builtCli = join(packageRoot, 'out', 'main', 'cli.js')

export interface ServeProcess {
  url: string
  child: ChildProcess
  stderr: string[]
}

export async function startServe(t: TestContext, runPath: string, workspace: string): Promise<ServeProcess> {
  const child = spawn(
    process.execPath,
    [builtCli, 'serve', runPath, '--port', '0', '--workspace', workspace],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      // Everything else the app keeps (the model cache, default workspaces) stays in the test's folder.
      env: { ...process.env, RUBRIC_WORKBENCH_HOME: join(dirname(workspace), 'home') },
    }
  )
  t.after(() => {
    child.kill()
  })
  const stderr: string[] = []
  createInterface({ input: child.stderr! }).on('line', (l) => stderr.push(l))
  const url = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const m = /^Rubric Workbench: (http:\/\/\S+)$/.exec(line)
      if (m?.[1] !== undefined) resolve(m[1])
    })
    child.once('exit', (code) => reject(new Error(`serve exited with ${code}: ${stderr.join('\n')}`)))
  })
  return { url, child, stderr }
}
