// The core side of the contract: validate arguments once, here, then call the handler. Every
// transport (Electron IPC, the serve bridge, tests) goes through `dispatch`.
import {
  ApiError,
  describeIssues,
  isMethodName,
  methods,
  type MethodName,
  type MethodResult,
  type ParsedArgs,
} from '../../shared/contract'
import { NotARunError } from '../reader/detect'

export type Handlers = { [M in MethodName]: (args: ParsedArgs<M>) => Promise<MethodResult<M>> }

export async function dispatch(handlers: Handlers, method: unknown, args: unknown): Promise<unknown> {
  if (!isMethodName(method)) {
    throw new ApiError('bad-request', `unknown method ${JSON.stringify(method)}`)
  }
  const parsed = methods[method].args.safeParse(args ?? {})
  if (!parsed.success) throw new ApiError('bad-request', describeIssues(method, parsed.error))
  const handler = handlers[method] as (a: unknown) => Promise<unknown>
  try {
    return await handler(parsed.data)
  } catch (error) {
    throw toApiError(error)
  }
}

export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error
  if (error instanceof NotARunError) return new ApiError('not-a-run', error.message)
  if (error instanceof Error) return new ApiError('internal', error.message)
  return new ApiError('internal', String(error))
}
