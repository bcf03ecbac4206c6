import type { ApiErrorCode } from '../../../shared/contract'

/** Codes the core sends, plus the ones only a client can observe. */
export type WorkbenchErrorCode = ApiErrorCode | 'disconnected' | 'protocol'

/**
 * Every failed call reaches the views as this error, whatever the transport, so a view can branch
 * on `code` (e.g. `not-found`) and print `message` as the core wrote it.
 */
export class WorkbenchError extends Error {
  constructor(
    readonly code: WorkbenchErrorCode,
    message: string
  ) {
    super(message)
    this.name = 'WorkbenchError'
  }
}

const API_CODES: readonly string[] = [
  'bad-request',
  'not-found',
  'no-run',
  'not-a-run',
  'internal',
] satisfies ApiErrorCode[]

export function isWorkbenchErrorCode(value: unknown): value is WorkbenchErrorCode {
  return (
    typeof value === 'string' &&
    (API_CODES.includes(value) || value === 'disconnected' || value === 'protocol')
  )
}

// Electron's ipcRenderer.invoke rewrites errors thrown in main as
// "Error invoking remote method 'rw:x': ApiError: <message>"; the user should only see <message>.
const IPC_PREFIX = /^Error invoking remote method '[^']*': (?:[A-Za-z]*Error: )?/

/** Normalise anything thrown by a transport into a WorkbenchError. */
export function toWorkbenchError(value: unknown): WorkbenchError {
  if (value instanceof WorkbenchError) return value
  if (value instanceof Error) {
    const code: unknown = (value as Error & { code?: unknown }).code
    return new WorkbenchError(
      isWorkbenchErrorCode(code) ? code : 'internal',
      value.message.replace(IPC_PREFIX, '')
    )
  }
  if (typeof value === 'object' && value !== null) {
    const { code, message } = value as { code?: unknown; message?: unknown }
    if (typeof message === 'string')
      return new WorkbenchError(isWorkbenchErrorCode(code) ? code : 'internal', message)
  }
  return new WorkbenchError('internal', String(value))
}
