// What the preload script puts on `window.workbench` in the desktop app. The renderer's api module
// uses it when present and otherwise talks to the serve bridge over WebSocket.
import type { Api, EventName, EventPayload } from './contract'

export interface WorkbenchBridge {
  api: Api
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void
}
