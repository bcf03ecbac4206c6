// A curated set on the demo run, through the workbench: filters, a rubric removed by hand, a
// criterion left out, a weight and a text edited; the rubric export keeps the originals, leaves
// out what the set leaves out, and describes the set in the dataset card; `export --set` from the
// CLI writes the same; sets persist across a reopen.
import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { test } from 'node:test'
import { NO_FILTERS, type CuratedSet } from '../../shared/curated-set'
import type { Page } from '../../shared/domain'
import type { CurationCandidate } from '../../shared/curated-set'
import { dispatch } from '../api/dispatch'
import { Workbench } from '../workbench'
import { lastJsonLine, runCli } from '../../../test/helpers/cli'
import { packageRoot } from '../../../test/helpers/serve-process'
import { tempDir } from '../../../test/helpers/temp'

const demoRun = join(packageRoot, 'resources', 'demo-run')

test('a curated set: picked, edited, saved, exported with its originals, and kept', async (t) => {
  const dir = await tempDir(t)
  const workspace = join(dir, 'ws')
  const wb = new Workbench({ transport: 'cli', workspace })
  t.after(() => wb.close())
  await wb.open(demoRun)
  const call = (method: string, args: object): Promise<unknown> => dispatch(wb.handlers, method, args)

  const valid = { ...NO_FILTERS, formatValid: true }
  const page = (await call('curation.candidates', { filters: valid, limit: 1000 })) as Page<CurationCandidate>
  // The demo run: 654 rubrics, 131 of them fail the format rule.
  assert.equal(page.total, 654 - 131)
  assert.ok(page.items.every((c) => c.formatValid))
  const high = (await call('curation.candidates', {
    filters: { ...NO_FILTERS, judge: 'stored', minAccuracy: 1 },
    limit: 1000,
  })) as Page<CurationCandidate>
  assert.ok(high.total > 0 && high.items.every((c) => c.accuracy === 1 && c.judge === 'stored'))

  const [first, second, third] = page.items as [CurationCandidate, CurationCandidate, CurationCandidate]
  const rubric = (await call('rubrics.get', { id: third.rubricId })) as {
    rubric: { criteriaList: { text: string; weight: number | null }[] }
  }
  const original = rubric.rubric.criteriaList[0] as { text: string; weight: number | null }
  const time = '2026-11-27T12:00:00.000Z'
  const set = (await call('curation.save', {
    name: 'valid demo',
    filters: valid,
    removed: [second.rubricId],
    excluded: [{ rubricId: first.rubricId, criterion: 0 }],
    edits: [
      { rubricId: third.rubricId, criterion: 0, field: 'weight', from: original.weight, to: 0.5, time },
      {
        rubricId: third.rubricId,
        criterion: 0,
        field: 'text',
        from: original.text,
        to: 'Rewritten check',
        time,
      },
    ],
  })) as CuratedSet
  assert.equal(set.rubrics.length, 654 - 131 - 1)
  // What the filters left out is recorded apart from what was left out by hand.
  const kept = set.rubrics.find((r) => r.rubricId === first.rubricId)
  assert.deepEqual([kept?.excluded, kept?.dropped], [[0], []])
  assert.deepEqual(await call('curation.sets', {}), [
    { name: 'valid demo', rubrics: 522, criteria: 1, edits: 2, updated: set.updated },
  ])

  const out = join(dir, 'set.jsonl')
  const result = (await call('export.run', {
    what: 'rubrics',
    format: 'native',
    out,
    set: 'valid demo',
  })) as {
    rows: number
  }
  assert.equal(result.rows, 522)
  const records = (await readFile(out, 'utf8'))
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { rubric_id: string; criteria: Record<string, unknown>[] })
  assert.equal(
    records.some((r) => r.rubric_id === second.rubricId),
    false
  )
  const firstOut = records.find((r) => r.rubric_id === first.rubricId)
  assert.equal(firstOut?.criteria[0]?.['position'], 1, 'criterion 0 left out')
  const edited = records.find((r) => r.rubric_id === third.rubricId)?.criteria[0]
  assert.deepEqual(
    [edited?.['text'], edited?.['weight'], edited?.['edited_from']],
    ['Rewritten check', 0.5, { text: original.text, weight: original.weight }]
  )

  // Refused: a name that is no set, and an output inside the run.
  await assert.rejects(
    call('export.run', { what: 'rubrics', format: 'native', out, set: 'nope' }),
    /no curated set named "nope"/
  )
  await assert.rejects(
    call('export.run', { what: 'labels', format: 'csv', out: join(demoRun, 'x.csv') }),
    /inside the run folder/
  )
  await wb.close()

  // From the CLI, with the set the app saved: a dataset folder whose card says how it was curated.
  const folder = join(dir, 'dataset')
  const r = await runCli([
    'export',
    demoRun,
    '--what',
    'rubrics',
    '--format',
    'hf',
    '--set',
    'valid demo',
    '--out',
    folder,
    '--workspace',
    workspace,
  ])
  assert.equal(r.status, 0, r.stderr)
  assert.equal(lastJsonLine(r.stdout)['rows'], 522)
  const card = await readFile(join(folder, 'README.md'), 'utf8')
  assert.match(card, /^# valid demo$/m)
  assert.match(card, /rubrics that pass the EvoLM format rule/)
  assert.match(
    card,
    /1 rubrics were added|0 rubrics were added and 1 removed by hand; 1 criteria are left out and 2 edits/
  )
})
