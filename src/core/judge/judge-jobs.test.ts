// Judge jobs end to end through the workbench: the real judge host process, the smoke-test judge,
// results on disk. Bad inputs fail alone; cancel, crash and restart leave a job that resumes.
import assert from 'node:assert/strict'
import { cp, readFile, readdir, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { test, type TestContext } from 'node:test'
import type { JudgeJob } from '../../shared/judge'
import { dispatch } from '../api/dispatch'
import { smokeTestModelDir } from '../resources'
import { Workbench } from '../workbench'
import { writeJudgeFixture, type JudgeFixture } from '../../../test/fixtures/judge-fixture'
import { tempDir } from '../../../test/helpers/temp'

interface Setup {
  wb: Workbench
  dir: string
  fixture: JudgeFixture
  events: JudgeJob[]
  onProgress: (listener: (job: JudgeJob) => void) => void
}

async function setup(t: TestContext, extraPairs = 2): Promise<Setup> {
  const dir = await tempDir(t)
  const fixture = await writeJudgeFixture(join(dir, 'run'), extraPairs)
  const events: JudgeJob[] = []
  const listeners: ((job: JudgeJob) => void)[] = []
  const wb = new Workbench({
    transport: 'cli',
    workspace: join(dir, 'ws'),
    emit: (event, payload) => {
      if (event !== 'judge.progress') return
      events.push(payload as JudgeJob)
      for (const l of listeners) l(payload as JudgeJob)
    },
  })
  t.after(() => wb.close())
  await wb.open(join(dir, 'run'))
  return { wb, dir, fixture, events, onProgress: (l) => listeners.push(l) }
}

async function judge(wb: Workbench, args: Record<string, unknown>): Promise<JudgeJob> {
  const started = (await dispatch(wb.handlers, 'judge.start', args)) as JudgeJob
  const jobs = await wb.judgeJobs()
  await jobs.idle()
  // A snapshot: the live job changes when it is resumed.
  return structuredClone(jobs.get(started.id) as JudgeJob)
}

async function verdictLines(dir: string): Promise<string[]> {
  const folder = join(dir, 'ws', 'judge', 'verdicts')
  const lines: string[] = []
  for (const name of await readdir(folder))
    lines.push(...(await readFile(join(folder, name), 'utf8')).split('\n').filter(Boolean))
  return lines
}

test('a job judges its pairs; an empty response and an unparsed rubric fail alone; a rerun skips what is done', async (t) => {
  const { wb, dir } = await setup(t)
  const job = await judge(wb, { protocol: 'criteria-logprob' })
  assert.equal(job.state, 'done', job.message ?? '')
  assert.equal(job.device?.used, 'cpu')
  assert.match(job.judge ?? '', /^tiny-judge@fp32#/)
  // 4 judgeable pairs × 2 responses + sea-new; sea-old is empty; k3 did not parse (2 responses).
  assert.deepEqual([job.total, job.scored, job.failed, job.skipped], [12, 9, 3, 0])
  assert.match(job.message ?? '', /response sea-old is empty/)
  assert.match(job.message ?? '', /rubric k3 did not parse/)

  const pair = await wb.handlers['judge.pair']({ pairId: 'pair-0' })
  const group = pair.groups[0]
  assert.equal(pair.groups.length, 1)
  assert.equal(group?.withRubric, true)
  assert.ok(group?.newer?.score !== null && group?.older?.score !== null)
  assert.ok(
    Math.abs((group?.margin ?? NaN) - ((group?.newer?.score ?? 0) - (group?.older?.score ?? 0))) < 1e-12
  )
  const rubric = await wb.handlers['judge.rubric']({ rubricId: 'k1' })
  assert.equal(rubric.settings[0]?.verdicts.length, 8)

  const rerun = await judge(wb, { protocol: 'criteria-logprob' })
  assert.deepEqual([rerun.state, rerun.scored, rerun.skipped, rerun.failed], ['done', 0, 9, 3])

  // Without the rubric: the baseline, and the rubric's effect on each pair.
  await judge(wb, { protocol: 'criteria-logprob', rubric: false })
  const both = await wb.handlers['judge.pair']({ pairId: 'pair-0' })
  assert.equal(both.groups.length, 2)
  const effect = both.effects[0]
  assert.ok(effect !== undefined)
  assert.ok(Math.abs(effect.effect - (effect.withRubric - effect.withoutRubric)) < 1e-12)

  // Another workbench on the same workspace finds every result.
  const again = new Workbench({ transport: 'cli', workspace: join(dir, 'ws') })
  t.after(() => again.close())
  await again.open(join(dir, 'run'))
  assert.deepEqual((await again.handlers['judge.pair']({ pairId: 'pair-0' })).groups.length, 2)
  assert.equal((await again.handlers['judge.jobs']({})).length, 3)
})

test('pairwise jobs give one verdict per pair, P(newer better) averaged over both orders', async (t) => {
  const { wb } = await setup(t)
  const job = await judge(wb, { protocol: 'pairwise-logprob', limit: 3 })
  assert.deepEqual([job.state, job.total, job.scored], ['done', 3, 3])
  const pair = (await wb.handlers['judge.pair']({ pairId: 'pair-1' })).groups[0]
  assert.equal(pair?.pair?.otherResponseId, 'old-1')
  const [first, second] = pair?.pair?.orderScores ?? [NaN, NaN]
  assert.ok(Math.abs((pair?.pair?.score ?? NaN) - (first + 1 - second) / 2) < 1e-12)
})

test('cancel stops a job after its current batch; resume finishes it without judging anything twice', async (t) => {
  const { wb, dir, onProgress } = await setup(t, 120)
  let cancelled = false
  onProgress((job) => {
    if (!cancelled && job.state === 'running' && job.scored > 0) {
      cancelled = true
      void wb.handlers['judge.cancel']({ id: job.id })
    }
  })
  const first = await judge(wb, { protocol: 'criteria-logprob' })
  assert.equal(first.state, 'cancelled')
  assert.ok(
    first.scored > 0 && first.scored < first.total - first.failed,
    `${first.scored} of ${first.total}`
  )
  const linesAfterCancel = (await verdictLines(dir)).length
  assert.equal(linesAfterCancel, first.scored + first.failed, 'every result counted is on disk')

  await wb.handlers['judge.resume']({ id: first.id })
  await (await wb.judgeJobs()).idle()
  const resumed = (await wb.judgeJobs()).get(first.id) as JudgeJob
  assert.equal(resumed.state, 'done')
  assert.equal(resumed.skipped, first.scored)
  assert.equal(resumed.skipped + resumed.scored, resumed.total - resumed.failed)
  const keys = (await verdictLines(dir)).map((l) => JSON.parse(l) as { key: string; error: string | null })
  const scoredKeys = keys.filter((k) => k.error === null).map((k) => k.key)
  assert.equal(new Set(scoredKeys).size, scoredKeys.length, 'no item judged twice')
})

test('a job cancelled while its model loads stops without judging anything', async (t) => {
  const { wb, onProgress } = await setup(t)
  onProgress((job) => {
    if (job.state === 'loading') void wb.handlers['judge.cancel']({ id: job.id })
  })
  const job = await judge(wb, { protocol: 'criteria-logprob' })
  assert.equal(job.state, 'cancelled')
  assert.equal(job.scored, 0)
})

test('a crash of the judge process is reported, finished results are kept, and the job resumes', async (t) => {
  const { wb, dir, onProgress } = await setup(t, 120)
  let killed = false
  onProgress((job) => {
    if (!killed && job.state === 'running' && job.scored > 0) {
      void wb.judgeJobs().then((jobs) => {
        const pid = jobs.hostPid(job.id)
        if (pid === undefined || killed) return
        killed = true
        process.kill(pid, 'SIGKILL')
      })
    }
  })
  const crashed = await judge(wb, { protocol: 'criteria-logprob' })
  assert.equal(crashed.state, 'interrupted')
  assert.match(
    crashed.message ?? '',
    /judge process stopped unexpectedly \(signal SIGKILL\).*resume to go on/
  )
  assert.ok(crashed.scored > 0)
  assert.equal((await verdictLines(dir)).length, crashed.scored + crashed.failed)

  await wb.handlers['judge.resume']({ id: crashed.id })
  await (await wb.judgeJobs()).idle()
  const resumed = (await wb.judgeJobs()).get(crashed.id) as JudgeJob
  assert.equal(resumed.state, 'done')
  assert.equal(resumed.skipped, crashed.scored)
})

test('a job that was running when the workbench stopped is found interrupted, and resumes', async (t) => {
  const { wb, dir } = await setup(t)
  const job = await judge(wb, { protocol: 'criteria-logprob', limit: 1 })
  const file = join(dir, 'ws', 'judge', 'jobs.json')
  const doc = JSON.parse(await readFile(file, 'utf8')) as { jobs: JudgeJob[] }
  for (const j of doc.jobs) j.state = 'running'
  await writeFile(file, JSON.stringify(doc))
  const again = new Workbench({ transport: 'cli', workspace: join(dir, 'ws') })
  t.after(() => again.close())
  await again.open(join(dir, 'run'))
  const found = (await again.handlers['judge.jobs']({}))[0]
  assert.equal(found?.state, 'interrupted')
  assert.match(found?.message ?? '', /stopped while this job ran/)
  await again.handlers['judge.resume']({ id: job.id })
  await (await again.judgeJobs()).idle()
  assert.equal((await again.judgeJobs()).get(job.id)?.state, 'done')
})

test('bad models and templates fail the job with a message that names the problem', async (t) => {
  const { wb, dir } = await setup(t)
  const model = async (name: string, damage: (folder: string) => Promise<void>): Promise<string> => {
    const folder = join(dir, name)
    await cp(smokeTestModelDir, folder, { recursive: true })
    await damage(folder)
    return folder
  }
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ model: join(dir, 'nowhere') }, /model .*nowhere: no such folder/],
    [
      { model: await model('no-onnx', (f) => writeFile(join(f, 'onnx', 'model.onnx'), 'not a model')) },
      /the ONNX model cannot be loaded on cpu/,
    ],
    [
      {
        model: await model('no-template', async (f) => {
          const config = JSON.parse(await readFile(join(f, 'tokenizer_config.json'), 'utf8')) as Record<
            string,
            unknown
          >
          delete config['chat_template']
          await writeFile(join(f, 'tokenizer_config.json'), JSON.stringify(config))
        }),
      },
      /the tokenizer has no chat template/,
    ],
    [
      { model: await model('bad-config', (f) => writeFile(join(f, 'config.json'), '{"model_type": ')) },
      /config.json is not valid JSON/,
    ],
    [
      { model: await model('no-weights', (f) => rm(join(f, 'onnx', 'model.onnx'))) },
      /onnx\/ holds no model\*\.onnx/,
    ],
    [
      { model: await model('no-tokenizer', (f) => rm(join(f, 'tokenizer.json'))) },
      /tokenizer.json is missing/,
    ],
    [{ model: smokeTestModelDir, dtype: 'q8' }, /has no q8 weights/],
    [{ template: join(dir, 'missing.txt') }, /missing.txt: cannot be read \(ENOENT\)/],
  ]
  for (const [args, message] of cases) {
    const job = await judge(wb, { protocol: 'criteria-logprob', ...args })
    assert.equal(job.state, 'failed', JSON.stringify(args))
    assert.match(job.message ?? '', message)
  }
  const template = join(dir, 'pairwise.txt')
  await writeFile(template, 'protocol: pairwise-logprob\nversion: 1\n[user]\n{{first}} {{second}}\n')
  const mismatch = await judge(wb, { protocol: 'criteria-logprob', template })
  assert.match(mismatch.message ?? '', /is for pairwise-logprob, not criteria-logprob/)
  const noBaseline = await judge(wb, { protocol: 'pairwise-logprob', template, rubric: false })
  assert.match(noBaseline.message ?? '', /has no \[user without rubric\] section/)
  await assert.rejects(
    dispatch(wb.handlers, 'judge.start', { protocol: 'likert' }),
    /judge.start: invalid arguments \(protocol/
  )
  // None of it touched the results: a good job still runs.
  assert.equal((await judge(wb, { protocol: 'criteria-logprob', limit: 1 })).state, 'done')
})
