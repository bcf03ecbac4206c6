// A small Hugging Face Hub for tests: the model API listing (sizes, LFS sha256, git blob ids) and
// `resolve` downloads with HTTP Range, over real HTTP, with faults on demand: a connection cut
// partway through a file, and content that does not match the listing.
import { createHash } from 'node:crypto'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { TestContext } from 'node:test'

export interface FakeHub {
  url: string
  /** Range headers received, per file path. */
  ranges: Map<string, string[]>
  /** The next download of `path` sends `bytes` bytes, then nothing more (the client must give up). */
  cutAfter(path: string, bytes: number): void
  /** Downloads of `path` send other bytes than the listing describes. */
  corrupt(path: string): void
}

export async function startFakeHub(
  t: TestContext,
  repos: Record<string, Record<string, Buffer>>
): Promise<FakeHub> {
  const ranges = new Map<string, string[]>()
  const cuts = new Map<string, number>()
  const corrupted = new Set<string>()
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://hub')
    const api = /^\/api\/models\/([^/]+\/[^/]+)\/revision\/([^/]+)$/.exec(url.pathname)
    if (api !== null) {
      const files = repos[api[1] as string]
      if (files === undefined) {
        res.writeHead(404, { 'content-type': 'application/json' })
        return res.end('{"error":"Repository not found"}')
      }
      const siblings = Object.entries(files).map(([path, data]) =>
        data.length > 1024
          ? {
              rfilename: path,
              size: data.length,
              lfs: { sha256: createHash('sha256').update(data).digest('hex'), size: data.length },
            }
          : {
              rfilename: path,
              size: data.length,
              blobId: createHash('sha1').update(`blob ${data.length}\0`).update(data).digest('hex'),
            }
      )
      res.writeHead(200, { 'content-type': 'application/json' })
      return res.end(JSON.stringify({ id: api[1], sha: 'c0ffee', siblings }))
    }
    const file = /^\/([^/]+\/[^/]+)\/resolve\/([^/]+)\/(.+)$/.exec(url.pathname)
    const repo = file === null ? undefined : repos[file[1] as string]
    const path = file === null ? '' : decodeURIComponent(file[3] as string)
    let data = repo?.[path]
    if (data === undefined) {
      res.writeHead(404)
      return res.end('Entry not found')
    }
    if (corrupted.has(path)) data = Buffer.from(data.map((b) => b ^ 0xff))
    const range = req.headers.range
    ranges.set(path, [...(ranges.get(path) ?? []), range ?? ''])
    const start = range === undefined ? 0 : Number(/bytes=(\d+)-/.exec(range)?.[1] ?? 0)
    const body = data.subarray(start)
    res.writeHead(range === undefined ? 200 : 206, { 'content-length': String(body.length) })
    const cut = cuts.get(path)
    if (cut !== undefined) {
      cuts.delete(path)
      // The bytes sent arrive; then the transfer stalls, as a dead link does.
      res.write(body.subarray(0, cut))
      return
    }
    res.end(body)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.after(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      })
  )
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    ranges,
    cutAfter: (path, bytes) => cuts.set(path, bytes),
    corrupt: (path) => corrupted.add(path),
  }
}
