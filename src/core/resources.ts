// Runtime assets shipped with the package (demo run, judge templates, the smoke-test model). This
// module sits two folders below the package root both in sources (src/core) and in the build
// (out/main, where every main-build chunk lands), so one relative path serves both.
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

export const packageRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..')

export function resourcePath(...parts: string[]): string {
  return join(packageRoot, 'resources', ...parts)
}

/** The smoke-test judge written by scripts/make-tiny-judge.ts: the default model. */
export const smokeTestModelDir = resourcePath('models', 'tiny-judge')
