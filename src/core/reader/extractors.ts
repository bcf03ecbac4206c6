// Every row kind's extractor, in one table the index workers can load.
import type { Row } from './row'
import type { RowKind, ScanTask } from './scan-task'
import { extractGeneration, extractQualitative } from './evolm-rows'
import { extractPromptMetadata } from './prompt-metadata-rows'
import { extractPreference, extractRewardBench } from './preference-rows'
import { workbenchExtractors } from './workbench-rows'

export type Extractor = (row: Row, task: ScanTask) => unknown

export const extractors: Record<RowKind, Extractor> = {
  'evolm-generation': extractGeneration,
  'evolm-qualitative': extractQualitative,
  'prompt-metadata': extractPromptMetadata,
  preference: extractPreference,
  rewardbench2: extractRewardBench,
  ...workbenchExtractors,
}
