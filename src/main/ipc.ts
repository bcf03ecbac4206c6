// Electron IPC from the contract: one `handle` per method, answering with an envelope so the
// renderer gets the core's error code and message (a thrown error would reach it re-worded).
import type { IpcMain, IpcMainInvokeEvent } from 'electron'
import { ipcChannel, methodNames, type WireResponse } from '../shared/contract'
import { dispatch, toApiError, type Handlers } from '../core/api/dispatch'

export type IpcResult =
  Omit<Extract<WireResponse, { ok: true }>, 'id'> | Omit<Extract<WireResponse, { ok: false }>, 'id'>

export function registerIpc(
  ipcMain: Pick<IpcMain, 'handle'>,
  handlers: Handlers,
  isTrustedSender: (event: IpcMainInvokeEvent) => boolean
): string[] {
  const channels: string[] = []
  for (const name of methodNames) {
    const channel = ipcChannel(name)
    ipcMain.handle(channel, async (event, args: unknown): Promise<IpcResult> => {
      if (!isTrustedSender(event)) {
        return { ok: false, error: { code: 'bad-request', message: 'request from an untrusted frame' } }
      }
      try {
        return { ok: true, result: await dispatch(handlers, name, args) }
      } catch (error) {
        const e = toApiError(error)
        return { ok: false, error: { code: e.code, message: e.message } }
      }
    })
    channels.push(channel)
  }
  return channels
}
