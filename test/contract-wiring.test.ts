// Every contract method is wired on both transports (Electron IPC + preload, and the serve
// bridge), and malformed arguments come back as a clear bad-request on each.
import assert from 'node:assert/strict'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { test, type TestContext } from 'node:test'
import { ipcChannel, methodNames, type MethodArgs, type MethodName } from '../src/shared/contract'
import type { WorkbenchBridge } from '../src/shared/bridge'
import { Workbench } from '../src/core/workbench'
import { dispatch } from '../src/core/api/dispatch'
import type { JudgeJob } from '../src/shared/judge'
import type { TrainingJob } from '../src/shared/training'
import { heldOut } from '../src/core/training/split'
import { NO_FILTERS } from '../src/shared/curated-set'
import { startServer } from '../src/core/serve/serve-server'
import { registerIpc, type IpcResult } from '../src/main/ipc'
import { writeWorkbenchFixture } from './fixtures/workbench-fixture'
import { tempDir } from './helpers/temp'
import { connectBridge } from './helpers/ws-client'

/** Valid arguments for every method; a method added to the contract must be added here. */
function validArgs(
  root: string,
  queueId: string,
  jobId: string,
  trained: { job: string; head: string; criteria: string }
): { [M in MethodName]: MethodArgs<M> } {
  return {
    'app.info': {},
    'run.open': { path: root },
    'run.summary': {},
    'run.errors': {},
    'checkpoints.list': {},
    'pairs.list': { limit: 5 },
    'pairs.get': { id: 'pair-1' },
    'pairs.neighbors': { id: 'pair-1', sort: 'gap', outcomes: ['agrees'] },
    'pairs.facets': {},
    'timeline.stats': {},
    'prompts.list': {},
    'prompts.get': { id: 'p1' },
    'rubrics.get': { id: 'k1' },
    'rubrics.lineage': { promptId: 'p1' },
    'annotations.save': { pairId: 'pair-1', label: 'newer', annotator: 'wiring', blind: true },
    'annotations.remove': { pairId: 'pair-1', annotator: 'wiring' },
    'annotations.list': {},
    'annotations.annotators': {},
    'annotations.criterionFlags': { rubricId: 'k1' },
    'queues.create': { name: 'wiring', strategy: 'random', size: 1, seed: 1 },
    'queues.list': {},
    'audit.report': {},
    'queues.get': { id: queueId, annotator: 'wiring' },
    'responses.get': { id: 'r-new' },
    'rubrics.generated': { promptId: 'p1' },
    'rubrics.generatedSets': {},
    'models.list': {},
    'models.pull': { repo: 'acme/none', hub: 'http://127.0.0.1:1' },
    'models.cancel': { repo: 'acme/none' },
    'analysis.summary': {},
    'analysis.judges': {},
    'analysis.rows': { table: 'criteria', sort: 'n', limit: 5 },
    'analysis.rubric': { rubricId: 'k1' },
    'curation.candidates': { filters: NO_FILTERS, offset: 0, limit: 5 },
    'curation.save': {
      name: 'wiring',
      filters: NO_FILTERS,
      added: [],
      removed: [],
      excluded: [{ rubricId: 'k1', criterion: 1 }],
      edits: [
        { rubricId: 'k1', criterion: 0, field: 'weight', from: 0.9, to: 0.8, time: '2026-01-01T00:00:00Z' },
      ],
    },
    'curation.sets': {},
    'curation.get': { name: 'wiring' },
    'curation.applyWeights': { name: 'wiring', head: trained.criteria },
    'export.run': {
      what: 'rubrics',
      format: 'native',
      out: `${root}-rubrics.jsonl`,
      force: true,
      set: 'wiring',
    },
    'curation.delete': { name: 'wiring' },
    'judge.setup': {},
    'judge.start': { protocol: 'criteria-logprob', limit: 1 },
    'judge.jobs': {},
    'judge.cancel': { id: jobId },
    'judge.resume': { id: jobId },
    'judge.log': { id: jobId },
    'judge.pair': { pairId: 'pair-1' },
    'judge.rubric': { rubricId: 'k1' },
    'training.start': { head: 'criteria', epochs: 1 },
    'training.jobs': {},
    'training.cancel': { id: trained.job },
    'training.resume': { id: trained.job },
    'training.log': { id: trained.job },
    'training.heads': {},
    'training.head': { id: trained.head },
    'training.removeHead': { id: trained.head },
    'training.compare': { seed: 0, validShare: 0.5 },
  }
}

async function setup(t: TestContext): Promise<{
  wb: Workbench
  root: string
  dir: string
  queueId: string
  jobId: string
  trained: { job: string; head: string; criteria: string }
}> {
  const dir = await tempDir(t)
  const root = join(dir, 'run')
  await writeWorkbenchFixture(root)
  const wb = new Workbench({
    transport: 'ipc',
    workspace: join(dir, 'ws'),
    // The model cache and default workspaces stay in the test's folder.
    env: { ...process.env, RUBRIC_WORKBENCH_HOME: join(dir, 'home') },
  })
  await wb.open(root)
  const { id: queueId } = await wb.handlers['queues.create']({
    name: 'setup',
    strategy: 'all',
    size: 5,
    seed: 1,
  })
  t.after(() => wb.close())
  const job = (await dispatch(wb.handlers, 'judge.start', {
    protocol: 'criteria-logprob',
    limit: 1,
  })) as JudgeJob
  const jobId = job.id
  await (await wb.judgeJobs()).idle()
  // A reward head on the fixture's few pairs, for the methods that read a job and a saved head.
  const training = (await dispatch(wb.handlers, 'training.start', {
    head: 'reward',
    epochs: 1,
    batch: 1,
    validShare: 0.5,
  })) as TrainingJob
  await (await wb.trainingJobs()).idle()
  const head = (await wb.trainingJobs()).get(training.id)?.result?.id
  assert.ok(head !== undefined, JSON.stringify((await wb.trainingJobs()).get(training.id)))
  // A criteria head on the one judged pair, with a seed that keeps its prompt for training.
  let seed = 0
  while (heldOut('p1', 0.05, seed)) seed++
  const criteriaJob = (await dispatch(wb.handlers, 'training.start', {
    head: 'criteria',
    epochs: 1,
    batch: 1,
    validShare: 0.05,
    seed,
  })) as TrainingJob
  await (await wb.trainingJobs()).idle()
  const criteria = (await wb.trainingJobs()).get(criteriaJob.id)?.result?.id
  assert.ok(criteria !== undefined, JSON.stringify((await wb.trainingJobs()).get(criteriaJob.id)))
  return { wb, root, dir, queueId, jobId, trained: { job: training.id, head, criteria } }
}

type Handler = (event: unknown, args: unknown) => Promise<IpcResult>

test('IPC: one handler per contract method, each answering; malformed arguments are refused', async (t) => {
  const { wb, root, queueId, jobId, trained } = await setup(t)
  const handlers = new Map<string, Handler>()
  const channels = registerIpc(
    { handle: (c: string, fn: Handler) => void handlers.set(c, fn) } as never,
    wb.handlers,
    () => true
  )
  assert.deepEqual(channels.sort(), methodNames.map(ipcChannel).sort())
  const args = validArgs(root, queueId, jobId, trained)
  for (const name of methodNames) {
    const reply = await handlers.get(ipcChannel(name))?.({}, args[name])
    assert.equal(reply?.ok, true, `${name}: ${JSON.stringify(reply)}`)
  }
  await (await wb.judgeJobs()).idle()
  await (await wb.trainingJobs()).idle()
  const bad = await handlers.get(ipcChannel('pairs.get'))?.({}, { id: 42 })
  assert.deepEqual(bad, {
    ok: false,
    error: {
      code: 'bad-request',
      message: 'pairs.get: invalid arguments (id: Invalid input: expected string, received number)',
    },
  })
  const extra = await handlers.get(ipcChannel('run.errors'))?.({}, { offset: -1, sneaky: true })
  assert.equal(extra?.ok, false)
  if (extra?.ok === false)
    assert.match(
      extra.error.message,
      /run.errors: invalid arguments \(offset: .*; arguments: Unrecognized key: "sneaky"\)/
    )
})

test('IPC: requests from an untrusted frame are refused', async (t) => {
  const { wb } = await setup(t)
  const handlers = new Map<string, Handler>()
  registerIpc(
    { handle: (c: string, fn: Handler) => void handlers.set(c, fn) } as never,
    wb.handlers,
    () => false
  )
  const reply = await handlers.get(ipcChannel('run.summary'))?.({}, {})
  assert.equal(reply?.ok, false)
})

test('preload: exposes exactly the contract methods, routed to their channels', async (t) => {
  const { wb, root, queueId, jobId, trained } = await setup(t)
  const handlers = new Map<string, Handler>()
  registerIpc(
    { handle: (c: string, fn: Handler) => void handlers.set(c, fn) } as never,
    wb.handlers,
    () => true
  )
  await import('electron') // the stub, which creates its recording state
  const stub = (globalThis as { __electronStub?: { invoke: unknown; exposed: Map<string, unknown> } })
    .__electronStub
  assert.ok(stub, 'the electron stub is registered by the test runner')
  stub.invoke = (channel: string, args: unknown) => handlers.get(channel)?.({}, args)
  await import('../src/preload/index')
  const bridge = stub.exposed.get('workbench') as WorkbenchBridge
  assert.deepEqual(Object.keys(bridge.api).sort(), [...methodNames].sort())
  const args = validArgs(root, queueId, jobId, trained)
  for (const name of methodNames) {
    await (bridge.api[name] as (a: unknown) => Promise<unknown>)(args[name])
  }
  await (await wb.judgeJobs()).idle()
  await (await wb.trainingJobs()).idle()
  await assert.rejects(
    bridge.api['pairs.get']({ id: 42 as unknown as string }),
    (e: { code?: string; message?: string }) => {
      assert.equal(e.code, 'bad-request')
      assert.match(e.message ?? '', /pairs.get: invalid arguments/)
      return true
    }
  )
  assert.throws(() => bridge.on('not.an.event' as never, () => {}), /unknown event/)
})

test('serve bridge: every contract method answers over the WebSocket; malformed arguments are refused', async (t) => {
  const { wb, root, dir, queueId, jobId, trained } = await setup(t)
  const staticDir = join(dir, 'static')
  await mkdir(staticDir)
  await writeFile(join(staticDir, 'index.html'), '<!doctype html><title>t</title>')
  const server = await startServer({ handlers: wb.handlers, staticDir, port: 0 })
  t.after(() => server.close())
  const client = await connectBridge(`ws://127.0.0.1:${server.port}/ws?token=${server.token}`)
  t.after(() => client.close())
  const args = validArgs(root, queueId, jobId, trained)
  for (const name of methodNames) {
    const reply = await client.call(name, args[name])
    assert.equal(reply.ok, true, `${name}: ${JSON.stringify(reply)}`)
  }
  await (await wb.judgeJobs()).idle()
  await (await wb.trainingJobs()).idle()
  const bad = await client.call('pairs.get', { id: 42 })
  assert.deepEqual(bad, {
    id: bad.id,
    ok: false,
    error: {
      code: 'bad-request',
      message: 'pairs.get: invalid arguments (id: Invalid input: expected string, received number)',
    },
  })
  const unknown = await client.call('fs.readFile', { path: '/etc/passwd' })
  assert.equal(unknown.ok, false)
  if (!unknown.ok) assert.equal(unknown.error.message, 'unknown method "fs.readFile"')
  const missing = await client.call('pairs.get', { id: 'no-such-pair' })
  assert.equal(missing.ok ? null : missing.error.code, 'not-found')
})

test('when the run cannot be opened, requests say why instead of "no run"', async (t) => {
  const dir = await tempDir(t)
  const wb = new Workbench({ transport: 'serve', workspace: join(dir, 'ws') })
  await assert.rejects(wb.open(join(dir, 'missing')), /no such file or folder/)
  await assert.rejects(wb.handlers['run.summary']({}), (e: { code?: string; message?: string }) => {
    assert.equal(e.code, 'not-a-run')
    assert.match(e.message ?? '', /missing: no such file or folder/)
    return true
  })
})
