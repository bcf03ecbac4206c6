// Worker thread for text search (see text-search.ts). A user's regular expression can backtrack
// for minutes on the wrong text; here it can only stall this thread, which the core terminates
// when the search runs too long or a newer search replaces it.
import { parentPort } from 'node:worker_threads'
import type { RunFile } from '../run/run-index'
import { readTexts, type TextRefColumns } from '../run/text-store'

export interface SearchRequest {
  source: string
  flags: string
  files: RunFile[]
  prompts: string[]
  refs: TextRefColumns
}

export type SearchReply =
  { ok: true; promptHits: Uint8Array; refHits: Uint8Array } | { ok: false; message: string }

parentPort?.once('message', (request: SearchRequest) => {
  void search(request).then(
    (reply) =>
      parentPort?.postMessage(
        reply,
        reply.ok ? [reply.promptHits.buffer as ArrayBuffer, reply.refHits.buffer as ArrayBuffer] : []
      ),
    (error: unknown) =>
      parentPort?.postMessage({ ok: false, message: (error as Error).message } satisfies SearchReply)
  )
})

async function search(request: SearchRequest): Promise<SearchReply> {
  const pattern = new RegExp(request.source, request.flags)
  const promptHits = new Uint8Array(request.prompts.length)
  request.prompts.forEach((text, i) => {
    if (pattern.test(text)) promptHits[i] = 1
  })
  const refHits = new Uint8Array(request.refs.file.length)
  await readTexts(request.files, request.refs, (at, text) => {
    if (pattern.test(text)) refHits[at] = 1
  })
  return { ok: true, promptHits, refHits }
}
