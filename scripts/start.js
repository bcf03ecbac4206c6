#!/usr/bin/env node
// `npm start [-- PATH]`: the desktop app on the demo run (or PATH). Builds first when the build
// is missing or older than the sources. Where Electron cannot start (no display, binary missing
// and not downloadable) it says why and serves the workbench to a browser instead.
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'

const root = fileURLToPath(new URL('..', import.meta.url))
const cli = join(root, 'out', 'main', 'cli.js')
function commandLine() {
  try {
    return parseArgs({ options: { workspace: { type: 'string' } }, allowPositionals: true })
  } catch (error) {
    console.error(`rubric-workbench: ${error.message}`)
    console.error(
      'usage: npm start [-- [PATH] [--workspace DIR]]   (serve options: npx rubric-workbench serve --help)'
    )
    process.exit(2)
  }
}
const { values, positionals } = commandLine()
const runPath = positionals[0] ?? join(root, 'resources', 'demo-run')
const passOn = values.workspace === undefined ? [] : ['--workspace', values.workspace]

function newestMtime(dir) {
  let newest = 0
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name)
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : statSync(full).mtimeMs)
  }
  return newest
}

/** The smoke-test judge (the Judge view's default); its script returns at once when it is there. */
function ensureSmokeTestJudge() {
  const result = spawnSync(
    process.execPath,
    ['--import', 'tsx', join(root, 'scripts', 'make-tiny-judge.ts')],
    { cwd: root, stdio: 'inherit' }
  )
  if (result.status !== 0)
    console.error('rubric-workbench: the smoke-test judge could not be written (see above)')
}

function ensureBuilt() {
  ensureSmokeTestJudge()
  const built = existsSync(cli) && existsSync(join(root, 'out', 'renderer', 'index.html'))
  if (built && statSync(cli).mtimeMs >= newestMtime(join(root, 'src'))) return
  console.log('Building Rubric Workbench…')
  const result = spawnSync(
    process.execPath,
    [join(root, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build'],
    {
      cwd: root,
      stdio: 'inherit',
    }
  )
  if (result.status !== 0) {
    console.error('rubric-workbench: the build failed (see above)')
    process.exit(result.status ?? 1)
  }
}

/** The Electron binary, or the reason there is none. Fetching it on first launch may download. */
function electronBinary() {
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
    return { reason: 'no display (neither DISPLAY nor WAYLAND_DISPLAY is set)' }
  }
  try {
    const path = createRequire(import.meta.url)('electron')
    if (typeof path === 'string' && existsSync(path)) return { path }
    return { reason: `the Electron binary is missing (${String(path)})` }
  } catch (error) {
    return {
      reason: `the Electron binary is not installed and could not be downloaded (${error.message.split('\n')[0]})`,
    }
  }
}

function serve(reason) {
  console.log(`Electron cannot start here: ${reason}.`)
  console.log('Serving the workbench to a browser instead; open the URL below.')
  const child = spawn(process.execPath, [cli, 'serve', runPath, '--port', '0', ...passOn], {
    stdio: 'inherit',
  })
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal))
  child.on('exit', (code) => process.exit(code ?? 0))
}

ensureBuilt()
const electron = electronBinary()
if (electron.path === undefined) {
  serve(electron.reason)
} else {
  const started = Date.now()
  const app = spawn(electron.path, [root, runPath, ...passOn], { stdio: 'inherit' })
  app.on('error', (error) => serve(`Electron failed to launch (${error.message})`))
  app.on('exit', (code, signal) => {
    // A crash within seconds of launch is Electron failing to start (missing system libraries,
    // no GPU/display access), not the user closing the window.
    if (code !== 0 && signal === null && Date.now() - started < 10_000)
      serve(`Electron exited with status ${code} at start-up`)
    else process.exit(code ?? 0)
  })
}
