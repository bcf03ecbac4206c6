// Exposes exactly the contract's methods and events to the renderer, never ipcRenderer itself.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron'
import {
  ipcChannel,
  ipcEventChannel,
  isEventName,
  methodNames,
  type EventName,
} from '../shared/contract-names'
import type { Api, EventPayload, WireEvent } from '../shared/contract'
import type { WorkbenchBridge } from '../shared/bridge'
import type { IpcResult } from '../main/ipc'

const api = Object.fromEntries(
  methodNames.map((name) => [
    name,
    async (args: unknown) => {
      const reply = (await ipcRenderer.invoke(ipcChannel(name), args ?? {})) as IpcResult
      if (reply.ok) return reply.result
      // A plain object, not an Error: contextBridge keeps only the message of an Error, and the
      // renderer needs the code too.
      return Promise.reject({ code: reply.error.code, message: reply.error.message })
    },
  ])
) as unknown as Api

const bridge: WorkbenchBridge = {
  api,
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void {
    if (!isEventName(event)) throw new Error(`unknown event ${String(event)}`)
    const handler = (_e: IpcRendererEvent, message: WireEvent): void => {
      if (message.event === event) listener(message.payload as EventPayload<E>)
    }
    ipcRenderer.on(ipcEventChannel, handler)
    return () => ipcRenderer.off(ipcEventChannel, handler)
  },
}

contextBridge.exposeInMainWorld('workbench', bridge)
