// The run reader's front door: detect the format, then index with the matching reader.
import { basename, resolve } from 'node:path'
import type { RunIndex } from '../run/run-index'
import { detectRun } from './detect'
import { readEvolmRun } from './evolm'
import { readPreferenceRun } from './preference'
import type { IndexerOptions } from './indexer'
import { ProgressSink, type IndexProgress } from './progress'
import { readWorkbenchRun } from './workbench'

export interface OpenRunOptions {
  onProgress?: (progress: IndexProgress) => void
  indexer?: IndexerOptions
}

export interface OpenedRun {
  index: RunIndex
  indexMs: number
}

export async function openRun(path: string, options: OpenRunOptions = {}): Promise<OpenedRun> {
  const started = performance.now()
  const detected = await detectRun(resolve(path))
  const ctx = { progress: new ProgressSink(options.onProgress), indexer: options.indexer ?? {} }
  const name = basename(detected.path)
  let index: RunIndex
  switch (detected.format) {
    case 'evolm':
      index = await readEvolmRun(detected.path, name, ctx)
      break
    case 'workbench':
      index = await readWorkbenchRun(detected.path, name, ctx)
      break
    case 'preference':
    case 'rewardbench2':
      index = await readPreferenceRun(detected.path, detected.format, ctx)
      break
  }
  index.compact()
  return { index, indexMs: performance.now() - started }
}
