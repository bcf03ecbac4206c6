// Creating an audit queue and opening it, with the pending and failed states a form shows.
import type { MethodArgs } from '../../../shared/contract'
import { api } from './api'
import { toWorkbenchError, type WorkbenchError } from './errors'
import { href } from './route'

export class QueueCreator {
  creating = $state(false)
  error = $state<WorkbenchError | null>(null)

  async create(args: MethodArgs<'queues.create'>): Promise<void> {
    this.creating = true
    this.error = null
    try {
      const queue = await api['queues.create'](args)
      window.location.hash = href.queue(queue.id)
    } catch (error) {
      this.error = toWorkbenchError(error)
    } finally {
      this.creating = false
    }
  }
}
