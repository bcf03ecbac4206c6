// Worker thread that scans ranges of run files for the indexer (see indexer.ts).
import { parentPort } from 'node:worker_threads'
import { scanTask, type ScanTask } from './scan-task'

export interface WorkerRequest {
  seq: number
  task: ScanTask
}
export type WorkerReply =
  { seq: number; ok: true; result: ReturnType<typeof scanTask> } | { seq: number; ok: false; message: string }

parentPort?.on('message', (request: WorkerRequest) => {
  let reply: WorkerReply
  try {
    reply = { seq: request.seq, ok: true, result: scanTask(request.task) }
  } catch (error) {
    reply = { seq: request.seq, ok: false, message: (error as Error).message }
  }
  parentPort?.postMessage(reply)
})
