// Running `rubric-workbench serve` from a benchmark and talking to its WebSocket bridge with the
// renderer's own wire protocol.
import { spawn, type ChildProcess } from 'node:child_process'
import { createInterface } from 'node:readline'
import { connectBridge as connectBridgeClient } from '../../test/helpers/ws-client'

export interface Serve {
  child: ChildProcess
  url: string
  /** Resolves when the run is indexed (the CLI says "opened …" on stderr). */
  opened: Promise<void>
}

/** Starts `serve`; resolves once its URL is printed, which happens before indexing ends. */
export async function startServe(cli: string, dir: string, workspace: string): Promise<Serve> {
  const child = spawn(process.execPath, [cli, 'serve', dir, '--port', '0', '--workspace', workspace], {
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const stderr: string[] = []
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code, signal) =>
      reject(new Error(`serve exited (${signal ?? code}): ${stderr.slice(-20).join('\n')}`))
    )
  )
  exited.catch(() => {}) // observed through the races below
  const opened = new Promise<void>((resolve, reject) => {
    createInterface({ input: child.stderr! }).on('line', (line) => {
      stderr.push(line)
      if (/^opened .*: \d+ pairs/.test(line)) resolve()
      else if (line.includes('cannot open')) reject(new Error(line))
    })
  })
  const url = new Promise<string>((resolve) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const m = /^Rubric Workbench: (http:\/\/\S+)$/.exec(line)
      if (m?.[1] !== undefined) resolve(m[1])
    })
  })
  return { child, url: await Promise.race([url, exited]), opened: Promise.race([opened, exited]) }
}

export async function stopServe(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  child.kill('SIGTERM')
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000)
  await exited
  clearTimeout(timer)
}

/** The bridge client of the tests, answering with results and throwing refusals. */
export async function connectBridge(url: string): Promise<{
  call<T>(method: string, args: object): Promise<T>
  close(): void
}> {
  const u = new URL(url)
  const client = await connectBridgeClient(
    `ws://${u.host}/ws?token=${encodeURIComponent(u.searchParams.get('token') ?? '')}`
  )
  return {
    async call<T>(method: string, args: object): Promise<T> {
      const reply = await client.call(method, args)
      if (!reply.ok) throw new Error(`${method}: ${reply.error.message}`)
      return reply.result as T
    },
    close: () => client.close(),
  }
}
