// The serve bridge's client: JSON request/response over one WebSocket, with pushed events on the
// same socket. Kept free of `window` so it can be driven by a fake socket in tests.
import type { EventName, EventPayload, MethodName, WireRequest } from '../../../shared/contract'
import { isWorkbenchErrorCode, WorkbenchError } from './errors'

export interface Transport {
  call(method: MethodName, args: unknown): Promise<unknown>
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void
}

/** The part of the browser WebSocket this client uses. */
export interface SocketLike {
  readonly readyState: number
  send(data: string): void
  close(): void
  onopen: ((event: Event) => void) | null
  onclose: ((event: CloseEvent) => void) | null
  onmessage: ((event: MessageEvent) => void) | null
}

export interface SocketTransport extends Transport {
  /** Close the socket; pending calls are rejected. */
  dispose(): void
}

const OPEN = 1

interface Pending {
  resolve(result: unknown): void
  reject(error: WorkbenchError): void
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/**
 * Connects lazily (first call or first subscription) and again on the next call after the socket
 * drops, so a restarted `serve` process is picked up without reloading the page.
 */
export function createSocketTransport(
  url: string,
  connect: (url: string) => SocketLike = (target) => new WebSocket(target)
): SocketTransport {
  let socket: SocketLike | null = null
  let nextId = 1
  const pending = new Map<number, Pending>()
  const outbox: string[] = []
  const listeners = new Map<string, Set<(payload: unknown) => void>>()

  function ensureSocket(): SocketLike {
    if (socket !== null) return socket
    const ws = connect(url)
    let opened = false
    socket = ws
    ws.onopen = () => {
      opened = true
      for (const message of outbox.splice(0)) ws.send(message)
    }
    ws.onmessage = (event) => receive(event.data)
    ws.onclose = () => {
      if (socket === ws) socket = null
      outbox.length = 0
      const error = new WorkbenchError(
        'disconnected',
        opened
          ? 'Connection to the workbench server was lost'
          : `Could not connect to the workbench server at ${url.replace(/\?.*$/, '')}`
      )
      const waiting = [...pending.values()]
      pending.clear()
      for (const entry of waiting) entry.reject(error)
    }
    return ws
  }

  function receive(data: unknown): void {
    if (typeof data !== 'string') return
    let message: unknown
    try {
      message = JSON.parse(data)
    } catch {
      console.error('workbench: ignoring a message that is not JSON')
      return
    }
    if (!isRecord(message)) return
    if (typeof message['id'] === 'number') {
      settle(message['id'], message)
    } else if (typeof message['event'] === 'string') {
      for (const listener of listeners.get(message['event']) ?? []) {
        // One broken listener must not starve the others of the event.
        try {
          listener(message['payload'])
        } catch (error) {
          console.error(`workbench: listener for ${message['event']} failed`, error)
        }
      }
    }
  }

  function settle(id: number, message: Record<string, unknown>): void {
    const entry = pending.get(id)
    if (entry === undefined) return
    pending.delete(id)
    if (message['ok'] === true) {
      entry.resolve(message['result'])
      return
    }
    const error = isRecord(message['error']) ? message['error'] : {}
    const code = isWorkbenchErrorCode(error['code']) ? error['code'] : 'protocol'
    const text = typeof error['message'] === 'string' ? error['message'] : 'The server sent a malformed error'
    entry.reject(new WorkbenchError(code, text))
  }

  return {
    call(method, args) {
      const ws = ensureSocket()
      const id = nextId++
      const request: WireRequest = { id, method, args }
      const message = JSON.stringify(request)
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject })
        if (ws.readyState === OPEN) ws.send(message)
        else outbox.push(message)
      })
    },
    on(event, listener) {
      let set = listeners.get(event)
      if (set === undefined) {
        set = new Set()
        listeners.set(event, set)
      }
      // The core is the trusted side of this socket: its payloads follow the contract's event schemas.
      const untyped = listener as (payload: unknown) => void
      set.add(untyped)
      ensureSocket()
      return () => {
        set.delete(untyped)
      }
    },
    dispose() {
      socket?.close()
    },
  }
}
