import assert from 'node:assert/strict'
import { test } from 'node:test'
import { RecordTable, type Schema } from './record-table'
import type { TextRef } from './run-index'

interface Rec {
  id: string
  n: number
  score: number | null
  ok: boolean
  name: string
  phase: string | null
  text: TextRef
  extra: TextRef | null
}

const SCHEMA: Schema<Rec> = {
  id: 'id',
  n: 'int',
  score: 'num',
  ok: 'bool',
  name: 'str',
  phase: 'sym',
  text: 'ref',
  extra: 'refn',
}

const ODD_IDS = [
  'rg-L1204-newer',
  'qe-policy-50-L18',
  'p007',
  '0',
  '12',
  'plain',
  '',
  'x99999999999',
  'Ελλάδα-3-東京',
  'a-2147483647',
  'a-2147483648',
]

test('records come back exactly as they went in, past many resizes', () => {
  const table = new RecordTable<Rec>(SCHEMA)
  const records: Rec[] = []
  for (let i = 0; i < 5000; i++) {
    const rec: Rec = {
      id: ODD_IDS[i] ?? `row-${i}-${i % 3 === 0 ? 'newer' : 'older'}`,
      n: i - 2500,
      score: i % 7 === 0 ? null : i / 3,
      ok: i % 2 === 0,
      name: `name ${i} 🙂`,
      phase: i % 5 === 0 ? null : i % 2 === 0 ? 'policy' : 'rubric',
      text:
        i % 4 === 0
          ? { file: 1, start: i * 1e6, end: i * 1e6 + 10, pick: 2 }
          : { file: 0, start: i, end: i + 5 },
      extra: i % 3 === 0 ? null : { file: 2, start: 3e9 + i, end: 3e9 + i + 1 },
    }
    records.push(rec)
    assert.equal(table.push(rec), i)
  }
  table.compact()
  assert.equal(table.length, records.length)
  assert.deepEqual([...table], records)
  assert.equal(table.get(-1), undefined)
  assert.equal(table.get(records.length), undefined)
  assert.equal(table.field('score', 7), null)
  assert.ok(Number.isNaN(table.num('score', 7)))
  assert.deepEqual(
    table.where('n', 10).map((r) => r.id),
    ['row-2510-older']
  )
})

test('indexOf finds every id, including ids that do not split into prefix, number and suffix', () => {
  const table = new RecordTable<Rec>(SCHEMA)
  const base = {
    n: 0,
    score: null,
    ok: true,
    name: '',
    phase: null,
    text: { file: 0, start: 0, end: 1 },
    extra: null,
  }
  ODD_IDS.forEach((id) => table.push({ ...base, id }))
  for (let i = 0; i < 3000; i++) table.push({ ...base, id: `h-${(i * 2654435761) % 4294967296}x${i}` })
  ODD_IDS.forEach((id, i) => assert.equal(table.indexOf(id), i, id))
  assert.equal(table.indexOf('h-0x0'), ODD_IDS.length)
  assert.equal(table.indexOf('p7'), undefined)
  assert.equal(table.indexOf('rg-L1204-newe'), undefined)
  // A push after a lookup is found too.
  table.push({ ...base, id: 'late-1' })
  assert.equal(table.indexOf('late-1'), table.length - 1)
})
