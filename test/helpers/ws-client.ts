// A minimal client of the serve bridge for tests: the same wire protocol the renderer speaks.
import WebSocket from 'ws'
import type { WireEvent, WireResponse } from '../../src/shared/contract'

export interface BridgeClient {
  call(method: string, args: unknown): Promise<WireResponse>
  events: WireEvent[]
  close(): void
}

export async function connectBridge(
  url: string,
  headers: Record<string, string> = {}
): Promise<BridgeClient> {
  const ws = new WebSocket(url, { headers })
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve())
    ws.once('error', reject)
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)))
  })
  let next = 1
  const pending = new Map<number, (r: WireResponse) => void>()
  const events: WireEvent[] = []
  ws.on('message', (data) => {
    const message = JSON.parse(data.toString()) as WireResponse | WireEvent
    if ('event' in message) events.push(message)
    else {
      pending.get(message.id)?.(message)
      pending.delete(message.id)
    }
  })
  // A socket error is followed by 'close', which fails whatever is still waiting.
  ws.on('error', () => {})
  ws.on('close', () => {
    for (const [id, settle] of pending)
      settle({ id, ok: false, error: { code: 'internal', message: 'the bridge closed' } })
    pending.clear()
  })
  return {
    events,
    call(method, args) {
      const id = next++
      return new Promise((resolve) => {
        pending.set(id, resolve)
        ws.send(JSON.stringify({ id, method, args }))
      })
    },
    close: () => ws.close(),
  }
}
