#!/usr/bin/env node
// Runs the suite with Node's own test runner (Node 20 takes no globs): unit tests beside the
// code, then the cross-cutting tests under test/. Extra arguments filter files by substring.
import { spawnSync } from 'node:child_process'
import { readdirSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const filters = process.argv.slice(2)

function find(dir) {
  const found = []
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.')) continue
    const full = join(dir, name)
    if (statSync(full).isDirectory()) found.push(...find(full))
    else if (name.endsWith('.test.ts')) found.push(relative(root, full))
  }
  return found.sort()
}

const files = [...find(join(root, 'src')), ...find(join(root, 'test'))].filter(
  (f) => filters.length === 0 || filters.some((x) => f.includes(x))
)
if (files.length === 0) {
  console.error(`no test files match ${filters.join(' ')}`)
  process.exit(1)
}
const result = spawnSync(
  process.execPath,
  [
    '--import',
    'tsx',
    '--import',
    './test/helpers/register-electron-stub.js',
    '--test',
    '--test-reporter=spec',
    ...files,
  ],
  { cwd: root, stdio: 'inherit' }
)
process.exit(result.status ?? 1)
