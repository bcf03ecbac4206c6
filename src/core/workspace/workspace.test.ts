import assert from 'node:assert/strict'
import { mkdir, readdir, symlink } from 'node:fs/promises'
import { join } from 'node:path'
import { test } from 'node:test'
import { tempDir } from '../../../test/helpers/temp'
import { isInside } from './location'
import { Workspace } from './workspace'

test('a workspace is never created inside the run folder, not through a link nor a look-alike name', async (t) => {
  const dir = await tempDir(t)
  const run = join(dir, 'real', 'run')
  await mkdir(run, { recursive: true })
  await symlink(join(dir, 'real', 'run'), join(dir, 'latest'))
  await assert.rejects(
    Workspace.open(join(run, 'ws'), { path: run, format: 'evolm' }),
    /inside the run folder/
  )
  await assert.rejects(
    Workspace.open(join(dir, 'latest', 'ws'), { path: join(dir, 'latest'), format: 'evolm' }),
    /inside the run folder/
  )
  await assert.rejects(
    Workspace.open(join(dir, 'latest', 'ws'), { path: run, format: 'evolm' }),
    /inside the run folder/
  )
  assert.deepEqual(await readdir(run), [])
  // A sibling whose name merely starts with dots is outside.
  assert.equal(isInside(run, join(dir, 'real', 'run', '..ws')), true)
  assert.equal(isInside(run, join(dir, 'real', '..run')), false)
  const ws = await Workspace.open(join(dir, 'ws'), { path: run, format: 'evolm' })
  assert.equal(ws.dir, join(dir, 'ws'))
})

test('a workspace that belongs to another run is refused, not taken over', async (t) => {
  const dir = await tempDir(t)
  await mkdir(join(dir, 'a'))
  await mkdir(join(dir, 'b'))
  await Workspace.open(join(dir, 'ws'), { path: join(dir, 'a'), format: 'evolm' })
  await assert.rejects(
    Workspace.open(join(dir, 'ws'), { path: join(dir, 'b'), format: 'evolm' }),
    /belongs to the run at/
  )
})
