// Locations inside the installed package, the same from the built CLI (out/main/cli.js) and from
// sources run by the tests (src/cli/*.ts): both sit two folders below the package root.
import { join } from 'node:path'
import { packageRoot, resourcePath } from '../core/resources'

export { packageRoot }
export const demoRunPath = resourcePath('demo-run')
export const rendererDir = join(packageRoot, 'out', 'renderer')
