// Model folders pulled from a Hugging Face Hub, as the UI sees them.

export interface CachedModelInfo {
  repo: string
  dir: string
  revision: string | null
  commit: string | null
  files: number
  bytes: number
  partial: number
}

export interface ModelDownload {
  repo: string
  revision: string
  state: 'downloading' | 'done' | 'failed' | 'cancelled'
  /** The file being fetched. */
  file: string | null
  bytes: number
  total: number
  /** The model folder, once done. */
  dir: string | null
  message: string | null
}

export interface ModelCache {
  cache: string
  models: CachedModelInfo[]
  downloads: ModelDownload[]
}
