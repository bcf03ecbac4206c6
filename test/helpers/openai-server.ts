// A small OpenAI-compatible server for tests: real HTTP, the Chat Completions response schema
// with `logprobs.content[].top_logprobs`, answers derived from a hash of the request (so scores
// differ between prompts yet repeat), and faults on demand: 503s, stalls past a client's timeout,
// malformed bodies, answers without logprobs, dropped connections.
import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { TestContext } from 'node:test'

export type Fault = '503' | '429' | 'stall' | 'malformed' | 'no-logprobs' | 'reset'

export interface FakeEndpoint {
  url: string
  /** Every chat request's body and headers, in arrival order. */
  requests: { body: Record<string, unknown>; authorization: string | undefined }[]
  /** The next N chat requests fail this way (then answers resume). */
  fail(fault: Fault, times?: number): void
  /** Chat requests whose prompt contains `text` always fail this way. */
  failWhen(text: string, fault: Fault): void
  heal(): void
  close(): Promise<void>
}

function hash(text: string): number {
  let h = 2166136261
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619)
  return (h >>> 0) / 4294967296
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}

export async function startFakeEndpoint(t: TestContext, models = ['judge-model']): Promise<FakeEndpoint> {
  const requests: FakeEndpoint['requests'] = []
  const queued: Fault[] = []
  const rules: { text: string; fault: Fault }[] = []
  const server: Server = createServer((req, res) => {
    void (async () => {
      const send = (status: number, body: unknown): void => {
        res.writeHead(status, { 'content-type': 'application/json' })
        res.end(typeof body === 'string' ? body : JSON.stringify(body))
      }
      if (req.method === 'GET' && req.url === '/v1/models')
        return send(200, { object: 'list', data: models.map((id) => ({ id, object: 'model' })) })
      if (req.method !== 'POST' || req.url !== '/v1/chat/completions')
        return send(404, { error: { message: 'no such route' } })
      const text = await readBody(req)
      const body = JSON.parse(text) as Record<string, unknown>
      requests.push({ body, authorization: req.headers.authorization })
      if (!models.includes(String(body['model'])))
        return send(404, { error: { message: `The model \`${String(body['model'])}\` does not exist.` } })
      const prompt = JSON.stringify(body['messages'])
      const fault = rules.find((r) => prompt.includes(r.text))?.fault ?? queued.shift()
      if (fault === '503') return send(503, { error: { message: 'server overloaded' } })
      if (fault === '429') return send(429, { error: { message: 'rate limited' } })
      if (fault === 'malformed') return send(200, '{"choices": [')
      if (fault === 'reset') return req.socket.destroy()
      if (fault === 'stall') return // never answers; the client's timeout ends it
      const h = hash(prompt)
      if (body['logprobs'] !== true) {
        const rubric = JSON.stringify({
          criteria: [
            {
              criterion: 'The answer is correct',
              weight: 0.7,
              scoring_levels: { '1.0': 'yes', '0.0': 'no' },
            },
            { criterion: 'The answer is brief', weight: 0.3, scoring_levels: { '1.0': 'yes', '0.0': 'no' } },
          ],
        })
        const content = prompt.includes('Write a rubric')
          ? `<think>plan</think>${rubric}`
          : prompt.includes('garbage')
            ? 'I cannot grade this.'
            : `{"reasoning": "looks fine", "score": ${h.toFixed(3)}}`
        return send(200, {
          id: 'c',
          object: 'chat.completion',
          model: body['model'],
          choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
        })
      }
      const lp = (x: number): number => Math.log(0.05 + 0.9 * x)
      const top = [
        { token: 'Yes', logprob: lp(h) },
        { token: 'No', logprob: lp(1 - h) },
        { token: ' yes', logprob: lp(h) - 3 },
        { token: 'A', logprob: lp(hash(`${prompt}a`)) },
        { token: 'B', logprob: lp(hash(`${prompt}b`)) },
      ]
      send(200, {
        id: 'c',
        object: 'chat.completion',
        model: body['model'],
        choices: [
          {
            index: 0,
            message: { role: 'assistant', content: 'Yes' },
            logprobs:
              fault === 'no-logprobs'
                ? null
                : { content: [{ token: 'Yes', logprob: top[0]?.logprob, top_logprobs: top }] },
            finish_reason: 'length',
          },
        ],
      })
    })()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  const close = (): Promise<void> =>
    new Promise((resolve) => {
      server.closeAllConnections()
      server.close(() => resolve())
    })
  t.after(close)
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    fail: (fault, times = 1) => {
      for (let i = 0; i < times; i++) queued.push(fault)
    },
    failWhen: (text, fault) => rules.push({ text, fault }),
    heal: () => {
      queued.length = 0
      rules.length = 0
    },
    close,
  }
}
