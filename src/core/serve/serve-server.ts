// The `serve` transport: the built renderer over HTTP plus the contract over a WebSocket, for
// working on a remote machine through an SSH tunnel. Every request needs the token printed at
// start; requests naming another Host or Origin are refused (DNS rebinding, cross-site pages).
import { randomBytes, timingSafeEqual } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { extname, join, normalize, sep } from 'node:path'
import { WebSocketServer, type WebSocket } from 'ws'
import type { EventName, WireEvent, WireRequest, WireResponse } from '../../shared/contract'
import { dispatch, toApiError, type Handlers } from '../api/dispatch'

export interface ServeOptions {
  handlers: Handlers
  /** The built renderer (out/renderer). */
  staticDir: string
  host?: string
  port?: number
  token?: string
}

export interface RunningServer {
  url: string
  host: string
  port: number
  token: string
  broadcast(event: EventName, payload: unknown): void
  close(): Promise<void>
}

const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '::1', '[::1]'])
const MAX_MESSAGE_BYTES = 1 << 20

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.ttf': 'font/ttf',
  '.json': 'application/json',
  '.ico': 'image/x-icon',
}

const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
  "font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

export function isLoopbackHost(host: string): boolean {
  return LOOPBACK_NAMES.has(host) || /^127\.\d+\.\d+\.\d+$/.test(host)
}

export async function startServer(options: ServeOptions): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1'
  const token = options.token ?? randomBytes(24).toString('base64url')
  const tokenBytes = Buffer.from(token)
  const clients = new Set<WebSocket>()
  let port = options.port ?? 0
  const cookieName = (): string => `rw_token_${port}`

  const tokenOk = (req: IncomingMessage, url: URL): boolean => {
    const given = url.searchParams.get('token') ?? readCookie(req.headers.cookie, cookieName())
    if (given === null) return false
    const bytes = Buffer.from(given)
    return bytes.length === tokenBytes.length && timingSafeEqual(bytes, tokenBytes)
  }

  /** Host must name this server; Origin, when a browser sends one, must be that same host. */
  const originOk = (req: IncomingMessage): string | null => {
    const hostHeader = req.headers.host
    if (hostHeader === undefined) return 'missing Host header'
    const { hostname, port: reqPort } = splitHost(hostHeader)
    // Through an SSH tunnel the browser may use another local port; a wildcard bind answers to
    // whatever name the machine has. Both still need the token.
    const tunnelled = isLoopbackHost(host) && isLoopbackHost(hostname)
    const wildcard = (host === '0.0.0.0' || host === '::') && reqPort === String(port)
    if (!tunnelled && !wildcard && !(hostname === host && reqPort === String(port))) {
      return `Host ${hostHeader} is not this server`
    }
    const origin = req.headers.origin
    if (origin !== undefined && origin !== `http://${hostHeader}`)
      return `Origin ${origin} is not this server`
    return null
  }

  const server = createServer((req, res) => {
    void handleHttp(req, res).catch((error: unknown) => {
      if (!res.headersSent) send(res, 500, `internal error: ${(error as Error).message}`)
      else res.destroy()
    })
  })

  const handleHttp = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://placeholder')
    const refusal = originOk(req)
    if (refusal !== null) return send(res, 403, `Refused: ${refusal}.`)
    if (!tokenOk(req, url)) {
      return send(
        res,
        401,
        'Missing or wrong token: open the full URL that `rubric-workbench serve` printed.'
      )
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'Only GET is served.')
    if (url.searchParams.has('token')) {
      // Later requests (scripts, styles, the WebSocket) carry the cookie instead. The page itself
      // is sent to its address without the token, which keeps the token out of the address bar,
      // history and bookmarks; browsers keep the #fragment across the redirect.
      res.setHeader(
        'Set-Cookie',
        `${cookieName()}=${encodeURIComponent(token)}; HttpOnly; SameSite=Strict; Path=/`
      )
      if (req.method === 'GET' && (url.pathname === '/' || url.pathname === '/index.html')) {
        url.searchParams.delete('token')
        res.writeHead(303, { Location: `${url.pathname}${url.search}`, 'Cache-Control': 'no-store' })
        return void res.end()
      }
    }
    const file = resolveStatic(options.staticDir, url.pathname)
    if (file === null) return send(res, 404, 'Not found.')
    const info = await stat(file).catch(() => null)
    if (info === null || !info.isFile()) return send(res, 404, 'Not found.')
    res.writeHead(200, {
      'Content-Type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
      'Content-Length': info.size,
      'Content-Security-Policy': CSP,
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      'X-Frame-Options': 'DENY',
      'Cache-Control': file.endsWith('.html') ? 'no-store' : 'private, max-age=3600',
    })
    if (req.method === 'HEAD') return void res.end()
    createReadStream(file).pipe(res)
  }

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES })
  server.on('upgrade', (req, socket, head) => {
    // Nothing a client sends before it is authenticated may throw out of this handler.
    let status: string | null
    try {
      const url = new URL(req.url ?? '/', 'http://placeholder')
      status =
        originOk(req) !== null
          ? '403 Forbidden'
          : !tokenOk(req, url)
            ? '401 Unauthorized'
            : url.pathname !== '/ws'
              ? '404 Not Found'
              : null
    } catch {
      status = '400 Bad Request'
    }
    if (status !== null) {
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`)
      return
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      clients.add(ws)
      ws.on('close', () => clients.delete(ws))
      ws.on('message', (data) => void answer(ws, data.toString()))
    })
  })

  const answer = async (ws: WebSocket, text: string): Promise<void> => {
    let request: Partial<WireRequest>
    try {
      request = JSON.parse(text) as Partial<WireRequest>
    } catch {
      return reply(ws, { id: -1, ok: false, error: { code: 'bad-request', message: 'message is not JSON' } })
    }
    const id = typeof request.id === 'number' ? request.id : -1
    try {
      const result = await dispatch(options.handlers, request.method, request.args)
      reply(ws, { id, ok: true, result })
    } catch (error) {
      const e = toApiError(error)
      reply(ws, { id, ok: false, error: { code: e.code, message: e.message } })
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  port = (server.address() as AddressInfo).port
  const urlHost = host.includes(':') ? `[${host}]` : host

  return {
    url: `http://${urlHost}:${port}/?token=${token}`,
    host,
    port,
    token,
    broadcast(event, payload) {
      const message = JSON.stringify({ event, payload } satisfies WireEvent)
      for (const ws of clients) if (ws.readyState === ws.OPEN) ws.send(message)
    },
    async close() {
      for (const ws of clients) ws.terminate()
      wss.close()
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

function reply(ws: WebSocket, message: WireResponse): void {
  if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message))
}

function send(res: ServerResponse, status: number, message: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' })
  res.end(`${message}\n`)
}

function splitHost(hostHeader: string): { hostname: string; port: string } {
  const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(hostHeader)
  return { hostname: (m?.[1] ?? hostHeader).toLowerCase(), port: m?.[2] ?? '80' }
}

function readCookie(header: string | undefined, name: string): string | null {
  if (header === undefined) return null
  for (const part of header.split(';')) {
    const [key, ...rest] = part.trim().split('=')
    if (key !== name) continue
    try {
      return decodeURIComponent(rest.join('='))
    } catch {
      return null
    }
  }
  return null
}

/** Map a URL path into the static folder, refusing anything that would climb out of it. */
function resolveStatic(root: string, pathname: string): string | null {
  let decoded: string
  try {
    decoded = decodeURIComponent(pathname)
  } catch {
    return null
  }
  if (decoded.includes('\0')) return null
  const rel = decoded === '/' ? 'index.html' : decoded.replace(/^\/+/, '')
  const full = normalize(join(root, rel))
  return full.startsWith(normalize(root) + sep) ? full : null
}
