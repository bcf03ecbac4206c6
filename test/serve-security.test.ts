// The serve transport refuses requests without the token, with a wrong token, or from another
// Origin or Host, on plain HTTP and on the WebSocket alike.
import assert from 'node:assert/strict'
import { request } from 'node:http'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { test, type TestContext } from 'node:test'
import { Workbench } from '../src/core/workbench'
import { startServer, type RunningServer } from '../src/core/serve/serve-server'
import { writeWorkbenchFixture } from './fixtures/workbench-fixture'
import { tempDir } from './helpers/temp'
import { connectBridge } from './helpers/ws-client'

async function serve(t: TestContext): Promise<RunningServer> {
  const dir = await tempDir(t)
  await writeWorkbenchFixture(join(dir, 'run'))
  const wb = new Workbench({ transport: 'serve', workspace: join(dir, 'ws') })
  await wb.open(join(dir, 'run'))
  const staticDir = join(dir, 'static')
  await mkdir(join(staticDir, 'assets'), { recursive: true })
  await writeFile(join(staticDir, 'index.html'), '<!doctype html><title>workbench</title>')
  await writeFile(join(staticDir, 'assets', 'app.js'), 'console.log(1)')
  await writeFile(join(dir, 'secret.txt'), 'do not serve')
  const server = await startServer({ handlers: wb.handlers, staticDir, port: 0 })
  t.after(() => server.close())
  return server
}

interface Reply {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: string
}

function get(server: RunningServer, path: string, headers: Record<string, string> = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: server.port, path, headers }, (res) => {
      let body = ''
      res.on('data', (d: Buffer) => (body += d.toString()))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }))
    })
    req.on('error', reject)
    req.end()
  })
}

test('serve: the printed URL sets a cookie and sends the page to an address without the token', async (t) => {
  const server = await serve(t)
  assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]{20,}$/)
  const first = await get(server, `/?token=${server.token}`)
  assert.equal(first.status, 303)
  assert.equal(first.headers['location'], '/')
  const cookie = String(first.headers['set-cookie'])
  assert.match(cookie, /HttpOnly; SameSite=Strict/)
  const page = await get(server, '/', { cookie: cookie.split(';')[0] ?? '' })
  assert.equal(page.status, 200)
  assert.match(String(page.headers['content-security-policy']), /script-src 'self'/)
  const asset = await get(server, '/assets/app.js', { cookie: cookie.split(';')[0] ?? '' })
  assert.equal(asset.status, 200)
})

test('serve: a missing or wrong token is refused', async (t) => {
  const server = await serve(t)
  assert.equal((await get(server, '/')).status, 401)
  assert.equal((await get(server, '/assets/app.js')).status, 401)
  assert.equal((await get(server, `/?token=${server.token}x`)).status, 401)
  assert.equal((await get(server, '/', { cookie: `rw_token_${server.port}=wrong` })).status, 401)
  const base = `ws://127.0.0.1:${server.port}/ws`
  await assert.rejects(connectBridge(base), /HTTP 401/)
  await assert.rejects(connectBridge(`${base}?token=nope`), /HTTP 401/)
})

test('serve: a foreign Origin or Host is refused even with the token', async (t) => {
  const server = await serve(t)
  const path = `/?token=${server.token}`
  assert.equal((await get(server, path, { origin: 'http://evil.example' })).status, 403)
  assert.equal((await get(server, path, { host: `evil.example:${server.port}` })).status, 403)
  assert.equal((await get(server, path, { origin: `http://127.0.0.1:${server.port}` })).status, 303)
  const ws = `ws://127.0.0.1:${server.port}/ws?token=${server.token}`
  await assert.rejects(connectBridge(ws, { origin: 'http://evil.example' }), /HTTP 403/)
  await assert.rejects(connectBridge(ws, { host: 'attacker.example' }), /HTTP 403/)
  const ok = await connectBridge(ws, { origin: `http://127.0.0.1:${server.port}` })
  assert.equal((await ok.call('app.info', {})).ok, true)
  ok.close()
})

test('serve: a malformed cookie is refused and does not bring the server down', async (t) => {
  const server = await serve(t)
  const cookie = `rw_token_${server.port}=%E0%A4%A`
  assert.equal((await get(server, '/', { cookie })).status, 401)
  await assert.rejects(connectBridge(`ws://127.0.0.1:${server.port}/ws`, { cookie }), /HTTP 401/)
  const ok = await connectBridge(`ws://127.0.0.1:${server.port}/ws?token=${server.token}`)
  assert.equal((await ok.call('app.info', {})).ok, true)
  ok.close()
})

test('serve: paths outside the renderer folder are not served', async (t) => {
  const server = await serve(t)
  // Encoded forms survive URL parsing and reach the folder check itself.
  for (const path of [
    '/%2e%2e%2fsecret.txt',
    '/assets/..%2f..%2fsecret.txt',
    '/assets/%2e%2e%2f%2e%2e%2fsecret.txt',
    '/..%5csecret.txt',
    '/%00',
  ]) {
    const reply = await get(server, `${path}${path.includes('?') ? '&' : '?'}token=${server.token}`)
    assert.equal(reply.status, 404, path)
  }
})
