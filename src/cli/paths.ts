// Locations inside the installed package, the same from the built CLI (out/main/cli.js) and from
// sources run by the tests (src/cli/*.ts): both sit two folders below the package root.
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

export const packageRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..')
export const demoRunPath = join(packageRoot, 'resources', 'demo-run')
export const rendererDir = join(packageRoot, 'out', 'renderer')
