import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { WorkbenchError } from './errors'
import { createSocketTransport, type SocketLike } from './socket-transport'

class FakeSocket implements SocketLike {
  readyState = 0
  sent: string[] = []
  onopen: ((event: Event) => void) | null = null
  onclose: ((event: CloseEvent) => void) | null = null
  onmessage: ((event: MessageEvent) => void) | null = null

  send(data: string): void {
    this.sent.push(data)
  }
  close(): void {
    this.readyState = 3
    this.onclose?.({} as CloseEvent)
  }
  open(): void {
    this.readyState = 1
    this.onopen?.({} as Event)
  }
  receive(message: unknown): void {
    this.onmessage?.({ data: JSON.stringify(message) } as MessageEvent)
  }
  request(index: number): { id: number; method: string; args: unknown } {
    return JSON.parse(this.sent[index] ?? 'null') as { id: number; method: string; args: unknown }
  }
}

function setup(): { sockets: FakeSocket[]; transport: ReturnType<typeof createSocketTransport> } {
  const sockets: FakeSocket[] = []
  const transport = createSocketTransport('ws://host/ws?token=t', () => {
    const socket = new FakeSocket()
    sockets.push(socket)
    return socket
  })
  return { sockets, transport }
}

describe('socket transport', () => {
  it('queues calls until the socket opens and resolves them by id', async () => {
    const { sockets, transport } = setup()
    const first = transport.call('run.summary', {})
    const second = transport.call('pairs.get', { id: 'a' })
    const socket = sockets[0]!
    assert.equal(socket.sent.length, 0)
    socket.open()
    assert.deepEqual(socket.request(1), { id: 2, method: 'pairs.get', args: { id: 'a' } })
    socket.receive({ id: 2, ok: true, result: 'two' })
    socket.receive({ id: 1, ok: true, result: 'one' })
    assert.equal(await first, 'one')
    assert.equal(await second, 'two')
  })

  it('rejects with the server message and code', async () => {
    const { sockets, transport } = setup()
    const call = transport.call('pairs.get', { id: 'x' })
    sockets[0]!.open()
    sockets[0]!.receive({ id: 1, ok: false, error: { code: 'not-found', message: 'No pair x' } })
    await assert.rejects(call, (error: unknown) => {
      assert.ok(error instanceof WorkbenchError)
      assert.equal(error.code, 'not-found')
      assert.equal(error.message, 'No pair x')
      return true
    })
  })

  it('rejects pending calls when the socket closes, then reconnects on the next call', async () => {
    const { sockets, transport } = setup()
    const call = transport.call('run.summary', {})
    sockets[0]!.open()
    sockets[0]!.close()
    await assert.rejects(call, /Connection to the workbench server was lost/)
    void transport.call('run.summary', {}).catch(() => undefined)
    assert.equal(sockets.length, 2)
  })

  it('delivers events to subscribers until they unsubscribe', () => {
    const { sockets, transport } = setup()
    const seen: number[] = []
    const stop = transport.on('run.progress', (p) => seen.push(p.bytesRead))
    const socket = sockets[0]!
    socket.open()
    socket.receive({ event: 'run.progress', payload: { path: 'r', file: 'f', bytesRead: 5, bytesTotal: 10 } })
    stop()
    socket.receive({ event: 'run.progress', payload: { path: 'r', file: 'f', bytesRead: 9, bytesTotal: 10 } })
    assert.deepEqual(seen, [5])
  })
})
