// The renderer's only door to the core. In the desktop app the preload script exposes the contract
// on `window.workbench`; in `serve` mode (a browser tab, and the e2e tests) the same calls travel
// over the bridge's WebSocket. Views import `api` and `onEvent` and never know which one it is.
//
// `api` is a Proxy rather than an object built from the contract's `methodNames` so that only types
// are imported from the contract: importing its values would pull zod into the renderer bundle just
// to list names the core validates anyway.
import type { WorkbenchBridge } from '../../../shared/bridge'
import type { Api, EventName, EventPayload, MethodName } from '../../../shared/contract'
import { toWorkbenchError } from './errors'
import { createSocketTransport, type Transport } from './socket-transport'

export { WorkbenchError, type WorkbenchErrorCode } from './errors'

type UntypedMethod = (args: unknown) => Promise<unknown>

function bridgeTransport(bridge: WorkbenchBridge): Transport {
  return {
    async call(method, args) {
      const fn = bridge.api[method] as unknown as UntypedMethod
      try {
        return await fn(args)
      } catch (error) {
        throw toWorkbenchError(error)
      }
    },
    on: (event, listener) => bridge.on(event, listener),
  }
}

/** `ws(s)://<host>/ws`, carrying the page's `?token=` when it has one (a cookie covers reloads). */
export function socketUrl(location: Pick<Location, 'protocol' | 'host' | 'search'>): string {
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws'
  const token = new URLSearchParams(location.search).get('token')
  const query = token ? `?token=${encodeURIComponent(token)}` : ''
  return `${scheme}://${location.host}/ws${query}`
}

let transport: Transport | undefined

// Chosen on first use, not at import, so importing this module has no side effects.
function currentTransport(): Transport {
  if (transport === undefined) {
    const bridge = (window as Window & { workbench?: WorkbenchBridge }).workbench
    transport = bridge ? bridgeTransport(bridge) : createSocketTransport(socketUrl(window.location))
  }
  return transport
}

const bound = new Map<string, UntypedMethod>()

export const api = new Proxy({} as Api, {
  get(_target, name) {
    // `then` must stay undefined or `await api` would treat the proxy as a promise.
    if (typeof name !== 'string' || name === 'then') return undefined
    let fn = bound.get(name)
    if (fn === undefined) {
      fn = (args) => currentTransport().call(name as MethodName, args)
      bound.set(name, fn)
    }
    return fn
  },
})

/** Subscribe to a pushed event; returns the unsubscribe function. */
export function onEvent<E extends EventName>(
  event: E,
  listener: (payload: EventPayload<E>) => void
): () => void {
  return currentTransport().on(event, listener)
}
