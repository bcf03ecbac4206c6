// Audit queues of a run, one durable document each in the workspace's `queues/` folder.
import { randomUUID } from 'node:crypto'

import { join } from 'node:path'
import { Low } from 'lowdb'
import type { AuditQueue, AuditQueueSummary, QueueStrategy } from '../../shared/annotation'
import { DurableJsonFile, readVersionedDocs } from '../store/durable-json-file'

export const QUEUE_SCHEMA_VERSION = 1

interface QueueDoc extends AuditQueue {
  schemaVersion: number
}

export class QueueStore {
  private readonly queues = new Map<string, AuditQueue>()

  private constructor(readonly dir: string) {}

  static async open(workspaceDir: string): Promise<QueueStore> {
    const store = new QueueStore(join(workspaceDir, 'queues'))
    for (const queue of await readVersionedDocs<AuditQueue>(store.dir, QUEUE_SCHEMA_VERSION))
      store.queues.set(queue.id, queue)
    return store
  }

  async create(fields: {
    name: string
    strategy: QueueStrategy
    seed: number
    pairIds: string[]
  }): Promise<AuditQueue> {
    const queue: AuditQueue = {
      id: `queue-${randomUUID().slice(0, 8)}`,
      name: fields.name,
      strategy: fields.strategy,
      size: fields.pairIds.length,
      seed: fields.seed,
      created: new Date().toISOString(),
      pairIds: fields.pairIds,
    }
    const db = new Low<QueueDoc>(new DurableJsonFile<QueueDoc>(join(this.dir, `${queue.id}.json`)), {
      schemaVersion: QUEUE_SCHEMA_VERSION,
      ...queue,
    })
    await db.write()
    this.queues.set(queue.id, queue)
    return queue
  }

  get(id: string): AuditQueue | undefined {
    return this.queues.get(id)
  }

  /** Newest first. */
  list(): AuditQueueSummary[] {
    return [...this.queues.values()]
      .map(({ pairIds: _pairIds, ...summary }) => summary)
      .sort((a, b) => (a.created < b.created ? 1 : -1))
  }
}
