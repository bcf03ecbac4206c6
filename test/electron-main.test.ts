// Smoke test of the built Electron main bundle with the `electron` module stubbed: it registers
// the contract on IPC, opens one hardened window on the built renderer and serves the demo run.
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { ipcChannel, methodNames } from '../src/shared/contract'
import { packageRoot } from './helpers/serve-process'
import { tempDir } from './helpers/temp'

interface Report {
  channels: string[]
  webPreferences: Record<string, unknown>
  loadedFile: string
  summary: { ok: boolean; result?: { format: string; counts: { pairs: number } } }
  malformed: { ok: boolean; error?: { code: string } }
  untrusted: { ok: boolean }
  hardening: {
    windowOpen: { action: string } | null
    foreignNavigationPrevented: boolean
    ownNavigationPrevented: boolean
    permissionGranted: boolean | null
  }
}

test('built main bundle: contract on IPC, hardened window, demo run served', async (t) => {
  const dir = await tempDir(t)
  const reportPath = join(dir, 'report.json')
  const result = spawnSync(
    process.execPath,
    ['--import', './test/helpers/register-electron-stub.js', 'out/main/index.js'],
    {
      cwd: packageRoot,
      env: { ...process.env, ELECTRON_STUB_REPORT: reportPath, RUBRIC_WORKBENCH_HOME: dir },
      encoding: 'utf8',
      timeout: 60_000,
    }
  )
  assert.equal(result.status, 0, result.stderr)
  const report = JSON.parse(readFileSync(reportPath, 'utf8')) as Report
  assert.deepEqual(report.channels.sort(), methodNames.map(ipcChannel).sort())
  const prefs = report.webPreferences
  assert.equal(prefs['contextIsolation'], true)
  assert.equal(prefs['sandbox'], true)
  assert.equal(prefs['nodeIntegration'], false)
  assert.ok(existsSync(String(prefs['preload'])), `preload ${String(prefs['preload'])} exists`)
  // A sandboxed preload may require electron and nothing else.
  const requires = readFileSync(String(prefs['preload']), 'utf8').match(/require\(["'][^"']+["']\)/g)
  assert.deepEqual(requires, ['require("electron")'])
  assert.ok(report.loadedFile.endsWith(join('out', 'renderer', 'index.html')))
  assert.ok(existsSync(report.loadedFile))
  assert.match(readFileSync(report.loadedFile, 'utf8'), /Content-Security-Policy/)
  assert.equal(report.summary.ok, true)
  assert.equal(report.summary.result?.format, 'evolm')
  assert.ok((report.summary.result?.counts.pairs ?? 0) > 0)
  assert.equal(report.malformed.error?.code, 'bad-request')
  assert.equal(report.untrusted.ok, false)
  assert.deepEqual(report.hardening, {
    windowOpen: { action: 'deny' },
    foreignNavigationPrevented: true,
    ownNavigationPrevented: false,
    permissionGranted: false,
  })
})
