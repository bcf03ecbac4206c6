// `rubric-workbench export` on the demo run: labels round-trip exactly through CSV and JSONL,
// verified pairs read back from Parquet by a second library (@dsnp/parquetjs; the export writes
// with hyparquet-writer), every rubric format read back, the Hugging Face folder's layout, the
// refusals (inside the run, `..`, an existing output), and the report opened in Chromium with no
// network request.
import assert from 'node:assert/strict'
import { mkdir, readFile, readdir, stat, symlink, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { test } from 'node:test'
import parquet from '@dsnp/parquetjs'
import { launchChromium } from './helpers/browser'
import { lastJsonLine, runCli } from './helpers/cli'
import { packageRoot } from './helpers/serve-process'
import { tempDir } from './helpers/temp'

const demoRun = join(packageRoot, 'resources', 'demo-run')

async function readParquet(file: string): Promise<{ rows: Record<string, unknown>[]; columns: string[] }> {
  const reader = await parquet.ParquetReader.openFile(file)
  try {
    const cursor = reader.getCursor()
    const rows: Record<string, unknown>[] = []
    for (let r = await cursor.next(); r !== null; r = await cursor.next())
      rows.push(r as Record<string, unknown>)
    return { rows, columns: reader.getSchema().fieldList.map((f) => f.name) }
  } finally {
    await reader.close()
  }
}

/** Two annotators: rg-L1 and rg-L2 verified newer, rg-L3 overturned (older), rg-L4 a tie. */
async function labelled(dir: string): Promise<string> {
  const ws = join(dir, 'ws')
  const csv = join(dir, 'short.csv')
  await writeFile(
    csv,
    [
      'pair_id,label,note',
      'rg-L1,newer,"clear, and ""correct"""',
      'rg-L2,newer,',
      'rg-L3,older,line one',
      'rg-L4,tie',
    ].join('\n')
  )
  for (const annotator of ['ann1', 'ann2']) {
    const r = await runCli(['label', demoRun, '--from', csv, '--annotator', annotator, '--workspace', ws])
    assert.equal(r.status, 0, r.stderr)
  }
  return ws
}

test('labels: CSV and JSONL exports import into another workspace and export the same bytes', async (t) => {
  const dir = await tempDir(t)
  const ws = await labelled(dir)
  for (const format of ['csv', 'jsonl']) {
    const first = join(dir, `first.${format}`)
    const r = await runCli([
      'export',
      demoRun,
      '--what',
      'labels',
      '--format',
      format,
      '--out',
      first,
      '--workspace',
      ws,
    ])
    assert.equal(r.status, 0, r.stderr)
    assert.equal(lastJsonLine(r.stdout)['rows'], 8)
    const other = join(dir, `ws-${format}`)
    const imported = await runCli(['label', demoRun, '--from', first, '--workspace', other])
    assert.equal(imported.status, 0, imported.stderr)
    const second = join(dir, `second.${format}`)
    const again = await runCli([
      'export',
      demoRun,
      '--what',
      'labels',
      '--format',
      format,
      '--out',
      second,
      '--workspace',
      other,
    ])
    assert.equal(again.status, 0, again.stderr)
    assert.equal(await readFile(second, 'utf8'), await readFile(first, 'utf8'))
  }
  const jsonl = (await readFile(join(dir, 'first.jsonl'), 'utf8'))
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l))
  assert.deepEqual(Object.keys(jsonl[0]), [
    'pair_id',
    'label',
    'annotator',
    'time',
    'note',
    'blind',
    'queue',
    'ms',
    'criterion_flags',
  ])
  assert.equal(jsonl.find((l) => l.pair_id === 'rg-L1').note, 'clear, and "correct"')
})

test('pairs: human-verified pairs in JSONL and Parquet, the overturned one the right way round', async (t) => {
  const dir = await tempDir(t)
  const ws = await labelled(dir)
  const out = { jsonl: join(dir, 'pairs.jsonl'), parquet: join(dir, 'pairs.parquet') }
  for (const [format, file] of Object.entries(out)) {
    const r = await runCli([
      'export',
      demoRun,
      '--what',
      'pairs',
      '--format',
      format,
      '--out',
      file,
      '--workspace',
      ws,
    ])
    assert.equal(r.status, 0, r.stderr)
    assert.equal(lastJsonLine(r.stdout)['rows'], 3) // rg-L4 is a tie: not a preference
  }
  const rows = (await readFile(out.jsonl, 'utf8'))
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>)
  assert.deepEqual(
    rows.map((r) => [r['pair_id'], r['overturned']]),
    [
      ['rg-L1', false],
      ['rg-L2', false],
      ['rg-L3', true],
    ]
  )
  // People preferred rg-L3's older response: it is the chosen one, from the earlier checkpoint.
  const overturned = rows[2] as Record<string, unknown>
  assert.ok((overturned['chosen_step'] as number) < (overturned['rejected_step'] as number))
  const kept = rows[0] as Record<string, unknown>
  assert.ok((kept['chosen_step'] as number) > (kept['rejected_step'] as number))
  assert.deepEqual([kept['annotators'], kept['agreeing']], [2, 2])
  const { rows: read, columns } = await readParquet(out.parquet)
  assert.deepEqual(columns.slice(0, 3), ['prompt', 'chosen', 'rejected'])
  assert.equal(read.length, 3)
  for (const [i, row] of read.entries()) {
    for (const key of [
      'prompt',
      'chosen',
      'rejected',
      'pair_id',
      'chosen_id',
      'overturned',
      'annotators',
      'agreeing',
    ])
      assert.deepEqual(row[key], rows[i]?.[key], `${key} of row ${i}`)
  }
})

test('rubrics: every format reads back; the Hugging Face folder has its card and Parquet data', async (t) => {
  const dir = await tempDir(t)
  const ws = join(dir, 'ws')
  const file = (name: string): string => join(dir, name)
  const run = async (format: string, out: string): Promise<void> => {
    const r = await runCli([
      'export',
      demoRun,
      '--what',
      'rubrics',
      '--format',
      format,
      '--out',
      out,
      '--workspace',
      ws,
    ])
    assert.equal(r.status, 0, r.stderr)
    assert.equal(lastJsonLine(r.stdout)['rows'], 654)
  }
  await run('native', file('native.jsonl'))
  const native = (await readFile(file('native.jsonl'), 'utf8'))
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l))
  assert.equal(native.length, 654)
  const first = native[0]
  for (const key of ['rubric_id', 'prompt_id', 'prompt', 'generator_step', 'source', 'criteria', 'evidence'])
    assert.ok(key in first, key)
  assert.match(first.source.file, /\.jsonl$/)
  assert.ok(first.source.line > 0)
  assert.ok(
    first.evidence.utility.length > 0 ||
      native.some((r: { evidence: { utility: unknown[] } }) => r.evidence.utility.length > 0)
  )
  const withUtility = native.find(
    (r: { evidence: { utility: { n: number }[] } }) => r.evidence.utility.length > 0
  )
  assert.ok(typeof withUtility.evidence.utility[0].accuracy.n === 'number')

  await run('evolm', file('evolm.json'))
  const evolm = JSON.parse(await readFile(file('evolm.json'), 'utf8'))
  assert.ok(Array.isArray(evolm) && evolm.length === 654)
  assert.ok(evolm.every((r: { rubric: { criteria: unknown[] } }) => Array.isArray(r.rubric.criteria)))

  await run('rar', file('rar.jsonl'))
  const rar = JSON.parse((await readFile(file('rar.jsonl'), 'utf8')).split('\n')[0] as string)
  assert.deepEqual(Object.keys(rar), ['question', 'rubric'])
  assert.deepEqual(Object.keys(rar.rubric[0]), ['title', 'description', 'weight'])

  await run('prometheus', file('prometheus.jsonl'))
  const prometheus = JSON.parse((await readFile(file('prometheus.jsonl'), 'utf8')).split('\n')[0] as string)
  for (const k of [1, 2, 3, 4, 5])
    assert.equal(typeof prometheus.score_rubric[`score${k}_description`], 'string')

  await run('hf', file('dataset'))
  assert.deepEqual((await readdir(file('dataset'))).sort(), ['README.md', 'data'])
  assert.deepEqual((await readdir(file('dataset/data'))).sort(), ['train.jsonl', 'train.parquet'])
  const card = await readFile(file('dataset/README.md'), 'utf8')
  assert.match(
    card,
    /^---\nconfigs:\n- config_name: default\n {2}data_files:\n {2}- split: train\n {4}path: data\/train\.parquet\n/
  )
  assert.match(card, /## Schema/)
  assert.match(card, /## How the set was curated/)
  const { rows, columns } = await readParquet(file('dataset/data/train.parquet'))
  assert.equal(rows.length, 654)
  assert.deepEqual(columns, [
    'rubric_id',
    'prompt_id',
    'prompt',
    'task_type',
    'generator_step',
    'source_file',
    'source_line',
    'criteria',
    'evidence',
  ])
  assert.ok(Array.isArray(JSON.parse(String(rows[0]?.['criteria']))))
})

test('refused: inside the run, through "..", over an existing output; an unknown format or set', async (t) => {
  const dir = await tempDir(t)
  const ws = ['--workspace', join(dir, 'ws')]
  const run = (...args: string[]) => runCli(['export', demoRun, '--what', 'labels', ...args, ...ws])
  const inside = await run('--out', join(demoRun, 'labels.csv'), '--format', 'csv')
  assert.equal(inside.status, 2)
  assert.match(inside.stderr, /inside the run folder/)
  // A link that points into the run is followed, and refused.
  await symlink(demoRun, join(dir, 'link'))
  const linked = await run('--out', join(dir, 'link', 'x.csv'), '--format', 'csv')
  assert.match(linked.stderr, /inside the run folder/)
  const dots = await run('--out', `${dir}/a/../b.csv`, '--format', 'csv')
  assert.match(dots.stderr, /contains "\.\."/)
  const existing = join(dir, 'keep.csv')
  await writeFile(existing, 'precious')
  const over = await run('--out', existing, '--format', 'csv')
  assert.equal(over.status, 2)
  assert.match(over.stderr, /already exists; pass --force/)
  assert.equal(await readFile(existing, 'utf8'), 'precious')
  const forced = await run('--out', existing, '--format', 'csv', '--force')
  assert.equal(forced.status, 0, forced.stderr)
  assert.match(await readFile(existing, 'utf8'), /^pair_id,label,annotator/)
  const wrong = await run('--out', join(dir, 'x.txt'), '--format', 'parquet')
  assert.match(wrong.stderr, /not a format for labels; use one of jsonl, csv/)
  const set = await run('--out', join(dir, 'y.csv'), '--set', 'nope')
  assert.match(set.stderr, /no curated set named "nope"/)
  await mkdir(join(dir, 'folder'))
  const folder = await runCli([
    'export',
    demoRun,
    '--what',
    'rubrics',
    '--format',
    'native',
    '--out',
    join(dir, 'folder'),
    '--force',
    ...ws,
  ])
  assert.match(folder.stderr, /is a folder; this export writes a file/)
  // No temporary files left behind by any of it.
  assert.deepEqual(
    (await readdir(dir)).filter((f) => f.endsWith('.tmp')),
    []
  )
})

test('the report is one file that opens offline in Chromium without a single request', async (t) => {
  const dir = await tempDir(t)
  const ws = await labelled(dir)
  const out = join(dir, 'report.html')
  const r = await runCli(['export', demoRun, '--what', 'report', '--out', out, '--workspace', ws])
  assert.equal(r.status, 0, r.stderr)
  assert.ok((await stat(out)).size > 2000)
  const browser = await launchChromium()
  t.after(() => browser.close())
  const page = await browser.newPage()
  const requests: string[] = []
  page.on('request', (req) => requests.push(req.url()))
  const errors: string[] = []
  page.on('pageerror', (e) => errors.push(e.message))
  const url = pathToFileURL(out).href
  await page.goto(url)
  await page.getByRole('heading', { name: 'Is newer better?' }).waitFor()
  assert.match(await page.locator('body').innerText(), /chose the newer response in 2 of 3/)
  assert.equal((await page.locator('svg rect').count()) > 0, true)
  assert.deepEqual(requests, [url])
  assert.deepEqual(errors, [])
})
