// Starts one of the core's worker threads. In the build each worker is its own entry beside
// whichever chunk holds the calling code (all main-build files share a folder; see
// electron.vite.config.ts). From sources (tests under tsx) it is the .ts beside the caller, and
// the worker must register tsx itself: loader hooks do not reach worker threads.
import { Worker, type ResourceLimits } from 'node:worker_threads'

/** `entry` is the worker module's path relative to `base` (the caller's import.meta.url), without extension. */
export function startWorker(base: string, entry: string, resourceLimits?: ResourceLimits): Worker {
  if (!base.endsWith('.ts')) return new Worker(new URL(`./${leaf(entry)}.js`, base), { resourceLimits })
  const url = JSON.stringify(new URL(`${entry}.ts`, base).href)
  return new Worker(`import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${url}) })`, {
    eval: true,
    resourceLimits,
  })
}

// Built workers sit in one folder, named by their file name.
function leaf(entry: string): string {
  return entry.slice(entry.lastIndexOf('/') + 1)
}
