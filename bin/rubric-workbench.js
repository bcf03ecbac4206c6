#!/usr/bin/env node
// Entry point installed as `rubric-workbench`; the CLI itself is built with the app.
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const cli = join(dirname(fileURLToPath(import.meta.url)), '..', 'out', 'main', 'cli.js')
if (!existsSync(cli)) {
  console.error('rubric-workbench: not built yet; run `npm run build` in the package folder first')
  process.exit(2)
}
await import(pathToFileURL(cli).href)
