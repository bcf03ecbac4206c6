// `label` and `labels` as scripts use them, and the promise behind "saved <pair-id>": a label
// acknowledged on stdout survives the process being killed with SIGKILL right after.
import assert from 'node:assert/strict'
import { spawn, spawnSync } from 'node:child_process'
import { readdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { test } from 'node:test'
import { builtCli, packageRoot } from './helpers/serve-process'
import { tempDir } from './helpers/temp'

const demoRun = join(packageRoot, 'resources', 'demo-run')

function cli(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [builtCli, ...args], { encoding: 'utf8', timeout: 60_000 })
  return { status: r.status, stdout: r.stdout, stderr: r.stderr }
}

interface Printed {
  pair_id: string
  label: string
  annotator: string
  time: string
}

function labels(workspace: string): Printed[] {
  const r = cli(['labels', demoRun, '--json', '--workspace', workspace])
  assert.equal(r.status, 0, r.stderr)
  return JSON.parse(r.stdout) as Printed[]
}

test('label imports a CSV row by row: bad rows are named and the rest are saved', async (t) => {
  const dir = await tempDir(t)
  const csv = join(dir, 'labels.csv')
  await writeFile(
    csv,
    [
      'pair_id,label,note',
      'rg-L1,newer,"clear, correct"',
      'rg-L2,older',
      'rg-L404,tie',
      'rg-L3,maybe',
      'rg-L4,both-bad',
    ].join('\n')
  )
  const ws = join(dir, 'ws')
  const r = cli(['label', demoRun, '--from', csv, '--annotator', 'Dana', '--workspace', ws])
  assert.equal(r.status, 1, 'some rows were refused')
  assert.deepEqual(r.stdout.trim().split('\n'), ['saved rg-L1', 'saved rg-L2', 'saved rg-L4'])
  assert.match(r.stderr, /labels\.csv:4: no pair "rg-L404" in this run/)
  assert.match(r.stderr, /labels\.csv:5: label "maybe" is not one of newer, older, tie, both-bad, skip/)
  const printed = labels(ws)
  assert.deepEqual(
    printed.map((p) => [p.pair_id, p.label, p.annotator]),
    [
      ['rg-L1', 'newer', 'Dana'],
      ['rg-L2', 'older', 'Dana'],
      ['rg-L4', 'both-bad', 'Dana'],
    ]
  )
  for (const p of printed) assert.deepEqual(Object.keys(p), ['pair_id', 'label', 'annotator', 'time'])

  const missing = cli([
    'label',
    demoRun,
    '--from',
    join(dir, 'nope.csv'),
    '--annotator',
    'Dana',
    '--workspace',
    ws,
  ])
  assert.equal(missing.status, 2)
  assert.match(missing.stderr, /cannot read .*nope\.csv/)
  const noAnnotator = cli(['label', demoRun, '--from', csv, '--workspace', ws])
  assert.notEqual(noAnnotator.status, 0)
  assert.match(noAnnotator.stderr, /--annotator/)
})

test('every label acknowledged before a SIGKILL is on disk, and the store opens cleanly', async (t) => {
  const dir = await tempDir(t)
  // Many rows, so the kill lands while labels are still being written.
  const rows = ['pair_id,label']
  const cycle = ['newer', 'older', 'tie', 'both-bad']
  for (let round = 0; round < 8; round++)
    for (let i = 1; i <= 240; i++) rows.push(`rg-L${i},${cycle[(i + round) % cycle.length]}`)
  const csv = join(dir, 'many.csv')
  await writeFile(csv, rows.join('\n') + '\n')

  // A random moment each time: the guarantee must hold wherever the kill lands.
  const killPoints = Array.from({ length: 3 }, () => 1 + Math.floor(Math.random() * 400))
  for (const [attempt, killAfter] of killPoints.entries()) {
    const ws = join(dir, `ws-${attempt}`)
    const child = spawn(
      process.execPath,
      [builtCli, 'label', demoRun, '--from', csv, '--annotator', 'K', '--workspace', ws],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      }
    )
    // The label each pair last acknowledged; the row order gives the label it was saved with.
    const acknowledged = new Map<string, string>()
    let seen = 0
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
    await new Promise<void>((resolve) => {
      createInterface({ input: child.stdout }).on('line', (line) => {
        const m = /^saved (\S+)$/.exec(line)
        if (m?.[1] === undefined) return
        const row = rows[1 + seen]?.split(',')
        assert.equal(row?.[0], m[1])
        acknowledged.set(m[1], row?.[1] ?? '')
        seen++
        if (seen === killAfter) {
          child.kill('SIGKILL')
          resolve()
        }
      })
      void exited.then(() => resolve())
    })
    await exited
    assert.equal(seen >= killAfter, true, `the child acknowledged ${seen} labels before exiting`)
    const stored = new Map(labels(ws).map((p) => [p.pair_id, p.label]))
    for (const [pairId, label] of acknowledged) {
      // Rows are saved one after another, so at most the row after the last acknowledged one can
      // have reached the disk unacknowledged; anything else must be the acknowledged label.
      const got = stored.get(pairId)
      assert.ok(got !== undefined, `${pairId} was acknowledged and is missing (killed after ${killAfter})`)
      const inFlight = rows[1 + seen]?.split(',')
      const allowed = new Set([label, ...(inFlight?.[0] === pairId ? [inFlight[1]] : [])])
      assert.ok(
        allowed.has(got),
        `${pairId}: acknowledged ${label}, found ${got} (killed after ${killAfter})`
      )
    }
  }
})

/** A workspace where `annotator` has labelled rg-L1 newer. */
async function oneLabel(dir: string, annotator: string): Promise<string> {
  const ws = join(dir, 'ws')
  const csv = join(dir, 'one.csv')
  await writeFile(csv, 'rg-L1,newer\n')
  assert.equal(cli(['label', demoRun, '--from', csv, '--annotator', annotator, '--workspace', ws]).status, 0)
  return ws
}

test("label merges another annotator's JSONL beside the labels already there", async (t) => {
  const dir = await tempDir(t)
  const ws = await oneLabel(dir, 'me')
  const theirs = join(dir, 'theirs.jsonl')
  await writeFile(
    theirs,
    [
      '{"pair_id": "rg-L1", "label": "older", "note": "the older one is exact"}',
      '{"pair_id": "rg-L2", "label": "tie"}',
      '{"pair_id": "rg-L3", "label": "better"}',
      'not json',
      '',
    ].join('\n')
  )
  const r = cli(['label', demoRun, '--from', theirs, '--annotator', 'them', '--workspace', ws])
  assert.equal(r.status, 1)
  assert.deepEqual(r.stdout.trim().split('\n'), ['saved rg-L1', 'saved rg-L2'])
  assert.match(r.stderr, /theirs\.jsonl:3: label "better" is not one of/)
  assert.match(r.stderr, /theirs\.jsonl:4: not a JSON object/)
  assert.deepEqual(
    labels(ws).map((p) => [p.annotator, p.pair_id, p.label]),
    [
      ['me', 'rg-L1', 'newer'],
      ['them', 'rg-L1', 'older'],
      ['them', 'rg-L2', 'tie'],
    ]
  )
})

test('a damaged label store is named by the CLI, kept as it was, and backed up', async (t) => {
  const ws = await oneLabel(await tempDir(t), 'zed')
  const [zed] = (await readdir(join(ws, 'annotations'))).filter((f) => f.startsWith('annotator-zed-'))
  const folder = join(ws, 'annotations', zed ?? 'missing')
  const [file] = await readdir(folder)
  await writeFile(join(folder, file ?? ''), '{"schemaVersion": 1, "annot')
  const r = cli(['labels', demoRun, '--json', '--workspace', ws])
  assert.equal(r.status, 2)
  assert.match(r.stderr, /is damaged .*a copy was kept at .*damaged-.*left as it was/)
  assert.equal(r.stdout, '')
  assert.equal((await readdir(folder)).filter((f) => f.includes('.damaged-')).length, 1)
})

test('labels --json output feeds back into label (a JSON array), byte-order mark and all', async (t) => {
  const dir = await tempDir(t)
  const ws = await oneLabel(dir, 'src')
  const exported = join(dir, 'exported.json')
  await writeFile(exported, '\uFEFF' + cli(['labels', demoRun, '--json', '--workspace', ws]).stdout)
  const r = cli(['label', demoRun, '--from', exported, '--annotator', 'copy', '--workspace', ws])
  assert.equal(r.status, 0, r.stderr)
  assert.deepEqual(r.stdout.trim().split('\n'), ['saved rg-L1'])
})
