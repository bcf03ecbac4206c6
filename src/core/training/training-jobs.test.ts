// Training jobs through the workbench on the demo run: a reward head's job streams its curve,
// is cancelled after its first epoch (nothing saved, its curve kept), resumes without embedding
// again, and its saved head reloads; the comparison table then reads the head back from disk and
// sets it beside the judges on held-out human labels.
import assert from 'node:assert/strict'
import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { test } from 'node:test'
import { packageRoot } from '../../../test/helpers/serve-process'
import { tempDir } from '../../../test/helpers/temp'
import type { Page, PairSummary } from '../../shared/domain'
import type { TrainingJob } from '../../shared/training'
import { dispatch } from '../api/dispatch'
import { Workbench } from '../workbench'
import { heldOut } from './split'

const demoRun = join(packageRoot, 'resources', 'demo-run')

test('a training job streams its curve, cancels, resumes from its embeddings, and its head reloads', async (t) => {
  const dir = await tempDir(t)
  const events: TrainingJob[] = []
  let cancelAsked = false
  const wb: Workbench = new Workbench({
    transport: 'cli',
    workspace: join(dir, 'ws'),
    env: { ...process.env, RUBRIC_WORKBENCH_HOME: join(dir, 'home') },
    emit: (event, payload) => {
      if (event !== 'training.progress') return
      const job = payload as TrainingJob
      events.push(job)
      // Cancel as soon as the first epoch's point arrives: the live curve is what the user watches.
      if (job.curve.length >= 1 && !cancelAsked) {
        cancelAsked = true
        void wb.handlers['training.cancel']({ id: job.id })
      }
    },
  })
  t.after(() => wb.close())
  await wb.open(demoRun)
  const spec = { head: 'reward' as const, epochs: 60, patience: 60, batch: 8, seed: 3, validShare: 0.25 }
  const started = (await dispatch(wb.handlers, 'training.start', spec)) as TrainingJob
  const jobs = await wb.trainingJobs()
  await jobs.idle()
  const cancelled = jobs.get(started.id) as TrainingJob
  assert.equal(cancelled.state, 'cancelled', cancelled.message ?? '')
  assert.ok(cancelled.curve.length >= 1 && cancelled.curve.length < 60)
  assert.equal(cancelled.result, null)
  assert.ok(events.some((e) => e.phase === 'embedding'))
  assert.ok(events.some((e) => e.phase === 'training' && e.progress.total > 0))
  assert.deepEqual((await wb.handlers['training.heads']({})).heads, [])
  // One cache folder of the judge's embeddings (beside `models/`, where copies of graphs go).
  const embedded = (await readdir(join(dir, 'ws', 'embeddings'))).filter((n) => n !== 'models')
  assert.equal(embedded.length, 1)

  // Resume: the embeddings are on disk, so the job goes straight to training.
  events.length = 0
  cancelAsked = true
  await wb.handlers['training.resume']({ id: started.id })
  await jobs.idle()
  const done = jobs.get(started.id) as TrainingJob
  assert.equal(done.state, 'done', done.message ?? '')
  assert.equal(
    events.some((e) => e.phase === 'embedding'),
    false
  )
  // The curve only grows from event to event; the first point has its own event, the last event has them all.
  const points = events.map((e) => e.curve.length)
  assert.ok(points.every((n, i) => i === 0 || n >= (points[i - 1] as number)))
  assert.ok(points.includes(1))
  assert.equal(points.at(-1), done.curve.length)
  const head = done.result
  assert.ok(head !== null)
  assert.equal(head.bestEpoch <= head.epochs, true)

  // The job's log says what its process did.
  const log = (await dispatch(wb.handlers, 'training.log', { id: started.id })) as { lines: string[] }
  assert.ok(
    log.lines.some((l) =>
      /^embedding \d+ responses with tiny-judge@fp32#\w+ on cpu \(0 already in the cache\)$/.test(l)
    )
  )
  assert.ok(
    log.lines.some((l) => l.startsWith('trained on cpu: ') && l.endsWith(`saved ${done.result?.model}`))
  )

  // Reload: the head is read back from its files.
  const reloaded = await wb.handlers['training.head']({ id: head.id })
  assert.deepEqual(reloaded.validAccuracy, head.validAccuracy)
  assert.equal(reloaded.model, head.model)

  // People label some pairs; the table compares judges and the head on the held-out ones.
  const pairs = (await dispatch(wb.handlers, 'pairs.list', { limit: 500 })) as Page<PairSummary>
  let heldLabelled = 0
  for (const [i, p] of pairs.items.entries()) {
    if (i % 2 === 1) continue
    await dispatch(wb.handlers, 'annotations.save', {
      pairId: p.id,
      label: i % 4 === 0 ? 'newer' : 'older',
      annotator: 'tester',
      blind: true,
    })
    if (heldOut(p.promptId, 0.25, 3)) heldLabelled++
  }
  assert.ok(heldLabelled > 0)
  const table = await wb.handlers['training.compare']({ seed: 3, validShare: 0.25 })
  assert.equal(table.pairs, heldLabelled)
  const scalar = table.rows.find((r) => r.kind === 'scalar head')
  assert.equal(scalar?.source, head.id)
  assert.equal(scalar?.accuracy.items, heldLabelled)
  const stored = table.rows.find((r) => r.kind === 'rubric judge')
  assert.ok(stored !== undefined && stored.accuracy.items > 0)
  assert.ok(table.missing.some((m) => m.startsWith('re-weighted rubric')))
  // On the pairs both rows order, each is measured again: the same pairs for both.
  assert.ok(table.commonPairs > 0 && table.commonPairs <= Math.min(stored.accuracy.items, heldLabelled))
  for (const row of table.rows) assert.equal(row.common?.items, table.commonPairs)
  // Better or worse than the rubric judge, on the same pairs: the difference of the two, paired.
  assert.equal(table.reference, stored.source)
  assert.equal(stored.versusReference, null)
  const versus = scalar?.versusReference
  assert.ok(versus !== null && versus !== undefined && versus.items === table.commonPairs)
  assert.ok(
    Math.abs(
      (versus.value as number) - ((scalar?.common?.value as number) - (stored.common?.value as number))
    ) < 1e-9
  )
  assert.ok(
    (versus.low as number) <= (versus.value as number) && (versus.value as number) <= (versus.high as number)
  )
  // Another seed holds out other prompts: no head was trained for it.
  const other = await wb.handlers['training.compare']({ seed: 4, validShare: 0.25 })
  assert.ok(other.missing.some((m) => m.startsWith('scalar head')))
})
