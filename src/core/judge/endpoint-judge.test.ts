// Judging on an OpenAI-compatible endpoint, against a real HTTP server started by the test, with
// 503s, stalls, malformed bodies, missing logprobs and dropped connections injected.
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { test, type TestContext } from 'node:test'
import type { JudgeJob } from '../../shared/judge'
import { dispatch } from '../api/dispatch'
import { Workbench } from '../workbench'
import { startFakeEndpoint, type FakeEndpoint } from '../../../test/helpers/openai-server'
import { writeJudgeFixture } from '../../../test/fixtures/judge-fixture'
import { tempDir } from '../../../test/helpers/temp'
import { EndpointClient, choiceFromCompletion, wordLogprob, type EndpointSettings } from './endpoint-judge'

const settings = (url: string, extra: Partial<EndpointSettings> = {}): EndpointSettings => ({
  url,
  modelName: 'judge-model',
  apiKeyEnv: null,
  concurrency: 4,
  timeoutS: 0.5,
  retries: 3,
  ...extra,
})

const ask = {
  messages: [{ role: 'user', content: 'Is it 7?' }],
  max_tokens: 1,
  temperature: 0,
  logprobs: true,
  top_logprobs: 20,
}

test('the client retries 503, 429, stalls and dropped connections, then answers', async (t) => {
  const server = await startFakeEndpoint(t)
  const client = new EndpointClient(settings(server.url), {}, { backoffMs: 5 })
  server.fail('503')
  server.fail('429')
  server.fail('stall')
  const answer = await client.chat(ask)
  assert.ok(choiceFromCompletion(answer, ['Yes', 'No']) > 0)
  assert.equal(server.requests.length, 4)
  server.fail('reset')
  await client.chat(ask)
})

test('after its retries the client names the last failure; malformed answers are not retried', async (t) => {
  const server = await startFakeEndpoint(t)
  const client = new EndpointClient(settings(server.url, { retries: 2 }), {}, { backoffMs: 5 })
  server.fail('503', 5)
  await assert.rejects(client.chat(ask), /answered 503: server overloaded \(after 3 tries\)/)
  server.heal()
  server.fail('stall', 5)
  await assert.rejects(
    client.chat(ask),
    /no answer from http:\/\/127.0.0.1:\d+\/v1 within 0.5 s \(after 3 tries\)/
  )
  server.heal()
  const before = server.requests.length
  server.fail('malformed')
  await assert.rejects(client.chat(ask), /answered with malformed JSON/)
  assert.equal(server.requests.length, before + 1, 'not retried')
  server.fail('no-logprobs')
  await assert.rejects(
    client.chat(ask).then((r) => choiceFromCompletion(r, ['Yes', 'No'])),
    /returned no top_logprobs/
  )
  await server.close()
  await assert.rejects(client.chat(ask), /cannot reach http:\/\/127.0.0.1:\d+\/v1 \(ECONNREFUSED\)/)
})

test('API keys come from a named *_API_KEY variable, and go only over https or to this machine', async (t) => {
  const server = await startFakeEndpoint(t)
  const client = new EndpointClient(settings(server.url, { apiKeyEnv: 'JUDGE_API_KEY' }), {
    JUDGE_API_KEY: 's3cret',
  })
  await client.chat(ask)
  assert.equal(server.requests.at(-1)?.authorization, 'Bearer s3cret')
  assert.throws(
    () => new EndpointClient(settings(server.url, { apiKeyEnv: 'JUDGE_API_KEY' }), {}),
    /JUDGE_API_KEY \(the API key\) is not set/
  )
  assert.throws(
    () => new EndpointClient(settings(server.url, { apiKeyEnv: 'AWS_SECRET_ACCESS_KEY' }), {}),
    /must be upper case and end in _API_KEY/
  )
  assert.throws(() => new EndpointClient(settings('localhost:8000'), {}), /only http and https|is not a URL/)
  assert.throws(
    () =>
      new EndpointClient(settings('http://gpu-box:8000/v1', { apiKeyEnv: 'JUDGE_API_KEY' }), {
        JUDGE_API_KEY: 'k',
      }),
    /an API key is sent only over https or to this machine, not to http:\/\/gpu-box:8000/
  )
})

test('P(yes) sums the variants of a word among the top tokens; a missing one is bounded by the least likely shown', () => {
  const top = [
    { token: 'Yes', logprob: Math.log(0.5) },
    { token: ' yes', logprob: Math.log(0.1) },
    { token: 'No', logprob: Math.log(0.2) },
    { token: 'Maybe', logprob: Math.log(0.05) },
  ]
  assert.ok(Math.abs((wordLogprob(top, 'Yes') ?? NaN) - Math.log(0.6)) < 1e-12)
  assert.equal(wordLogprob(top, 'Perhaps'), null)
  const completion = (tokens: typeof top) => ({
    choices: [{ logprobs: { content: [{ token: 'x', logprob: 0, top_logprobs: tokens }] } }],
  })
  assert.ok(Math.abs(choiceFromCompletion(completion(top), ['Yes', 'No']) - 0.75) < 1e-12)
  assert.ok(Math.abs(choiceFromCompletion(completion(top.slice(0, 2)), ['Yes', 'No']) - 0.6 / 0.7) < 1e-12)
  assert.throws(
    () => choiceFromCompletion(completion([top[3] as (typeof top)[number]]), ['Yes', 'No']),
    /neither "Yes" nor "No"/
  )
})

async function workbench(t: TestContext, extraPairs = 2): Promise<{ wb: Workbench; dir: string }> {
  const dir = await tempDir(t)
  await writeJudgeFixture(join(dir, 'run'), extraPairs)
  const wb = new Workbench({ transport: 'cli', workspace: join(dir, 'ws') })
  t.after(() => wb.close())
  await wb.open(join(dir, 'run'))
  return { wb, dir }
}

async function judge(wb: Workbench, args: Record<string, unknown>): Promise<JudgeJob> {
  const started = (await dispatch(wb.handlers, 'judge.start', args)) as JudgeJob
  const jobs = await wb.judgeJobs()
  await jobs.idle()
  return structuredClone(jobs.get(started.id) as JudgeJob)
}

const endpoint = (server: FakeEndpoint, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  url: server.url,
  modelName: 'judge-model',
  timeoutS: 2,
  retries: 2,
  ...extra,
})

test('an endpoint job: every protocol, the same keys and views as a local judge, and a rerun that skips', async (t) => {
  const server = await startFakeEndpoint(t)
  const { wb } = await workbench(t)
  const criteria = await judge(wb, { protocol: 'criteria-logprob', endpoint: endpoint(server) })
  assert.equal(criteria.state, 'done', criteria.message ?? '')
  assert.equal(criteria.device?.used, 'endpoint')
  assert.match(criteria.judge ?? '', /^judge-model@127\.0\.0\.1:\d+\/v1$/)
  assert.deepEqual([criteria.scored, criteria.failed], [9, 3])
  // One token, log-probabilities, the template's chat options, temperature 0.
  const first = server.requests[0]?.body ?? {}
  assert.deepEqual(
    [first['max_tokens'], first['logprobs'], first['top_logprobs'], first['temperature']],
    [1, true, 20, 0]
  )
  assert.deepEqual(first['chat_template_kwargs'], { enable_thinking: false })

  const pair = (await wb.handlers['judge.pair']({ pairId: 'pair-0' })).groups[0]
  assert.ok(pair?.newer?.score !== null && pair?.newer?.criterionScores?.length === 3)

  const again = await judge(wb, { protocol: 'criteria-logprob', endpoint: endpoint(server) })
  assert.deepEqual([again.scored, again.skipped], [0, 9])

  const pairwise = await judge(wb, {
    protocol: 'pairwise-logprob',
    endpoint: endpoint(server),
    rubric: false,
    limit: 2,
  })
  assert.deepEqual([pairwise.state, pairwise.scored], ['done', 2])
  const pointwise = await judge(wb, { protocol: 'pointwise-json', endpoint: endpoint(server), seed: 3 })
  assert.equal(pointwise.state, 'done')
  const seeds = server.requests.filter((r) => r.body['logprobs'] !== true).map((r) => r.body['seed'])
  assert.ok(
    seeds.every((s) => typeof s === 'number'),
    'sampled protocols send a seed per item'
  )
})

test('endpoint faults: busy answers are retried; lasting failures fail their items only; resume finishes', async (t) => {
  const server = await startFakeEndpoint(t)
  const { wb } = await workbench(t)
  server.fail('503', 3)
  server.failWhen('counting up', 'malformed') // one of the fixture's answers
  const first = await judge(wb, { protocol: 'criteria-logprob', endpoint: endpoint(server) })
  assert.equal(first.state, 'done')
  assert.ok(first.failed > 3, 'the malformed answers failed their items')
  assert.match(first.message ?? '', /malformed JSON/)
  server.heal()
  const resumed = await judge(wb, { protocol: 'criteria-logprob', endpoint: endpoint(server) })
  assert.equal(resumed.skipped, first.scored)
  assert.equal(resumed.failed, 3, 'only the items no judge can score are left')
})

test('a model the endpoint does not serve, or an endpoint that is down, fails the job with the reason', async (t) => {
  const server = await startFakeEndpoint(t)
  const { wb } = await workbench(t)
  const wrong = await judge(wb, {
    protocol: 'criteria-logprob',
    endpoint: endpoint(server, { modelName: 'qwen3-8b' }),
  })
  assert.equal(wrong.state, 'failed')
  assert.match(wrong.message ?? '', /does not serve "qwen3-8b" \(it serves "judge-model"\)/)
  await server.close()
  const down = await judge(wb, { protocol: 'criteria-logprob', endpoint: endpoint(server, { retries: 0 }) })
  assert.equal(down.state, 'failed')
  assert.match(down.message ?? '', /cannot reach http:\/\/127\.0\.0\.1:\d+\/v1 \(ECONNREFUSED\)/)
  await assert.rejects(
    dispatch(wb.handlers, 'judge.start', {
      protocol: 'criteria-logprob',
      endpoint: { url: server.url, modelName: 'm', apiKeyEnv: 'PATH' },
    }),
    /apiKeyEnv: must be upper case/
  )
})

test('a server that fails every item stops the job as interrupted instead of waiting out every retry', async (t) => {
  const server = await startFakeEndpoint(t)
  const { wb } = await workbench(t, 30)
  server.failWhen('Question', '503')
  const job = await judge(wb, { protocol: 'criteria-logprob', endpoint: endpoint(server, { retries: 0 }) })
  assert.equal(job.state, 'interrupted')
  assert.match(
    job.message ?? '',
    /stopped after 25 items failed in a row \(the last: .*answered 503: server overloaded\)/
  )
  assert.ok(job.failed < job.total)
  server.heal()
  await wb.handlers['judge.resume']({ id: job.id })
  await (await wb.judgeJobs()).idle()
  assert.equal((await wb.judgeJobs()).get(job.id)?.state, 'done')
})
