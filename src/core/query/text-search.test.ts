import assert from 'node:assert/strict'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { test, type TestContext } from 'node:test'
import { tempDir } from '../../../test/helpers/temp'
import { openRun } from '../reader/open-run'
import { MATCH, SearchStopped, TextSearch } from './text-search'

// A word then "!" makes `(\w+\s?)+$` backtrack through every way of splitting the word:
// minutes at 40 letters.
const TRAP = `${'a'.repeat(40)}!`

async function openTrapRun(t: TestContext): Promise<Awaited<ReturnType<typeof openRun>>['index']> {
  const dir = await tempDir(t)
  const file = join(dir, 'prefs.jsonl')
  const rows = [
    { prompt: 'Say something.', chosen: TRAP, rejected: 'a calm answer' },
    { prompt: 'Name a river.', chosen: 'The Nile.', rejected: 'The Danube, probably.' },
  ]
  await writeFile(file, rows.map((r) => JSON.stringify(r)).join('\n') + '\n')
  return (await openRun(file)).index
}

test('search runs in a worker: matches by place, and a runaway pattern is stopped, not waited for', async (t) => {
  const index = await openTrapRun(t)
  const search = new TextSearch(index, 1500)
  const flags = await search.flags('danube', false)
  assert.deepEqual([...flags], [0, MATCH.older])
  const started = performance.now()
  await assert.rejects(search.flags('(\\w+\\s?)+$', true), (error: unknown) => {
    assert.ok(error instanceof SearchStopped)
    assert.match(error.message, /stopped after 2 s; the pattern backtracks too much/)
    return true
  })
  assert.ok(performance.now() - started < 10_000)
  // The worker is gone and the core still answers.
  assert.deepEqual([...(await search.flags('nile', false))], [0, MATCH.newer])
})

test('a newer search stops the one still running', async (t) => {
  const index = await openTrapRun(t)
  const search = new TextSearch(index, 60_000)
  const runaway = search.flags('(\\w+\\s?)+$', true)
  const next = search.flags('calm', false)
  await assert.rejects(runaway, /a newer search replaced this one/)
  assert.deepEqual([...(await next)], [MATCH.older, 0])
})
