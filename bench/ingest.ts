// npm run bench:ingest [-- --size-mb N --dir DIR --runs N]
// Generates an EvoLM-shaped tree (about 1 GB by default), then times `rubric-workbench inspect`
// against a plain streaming read of the same bytes, both as fresh processes after the files are in
// the page cache, and reports the inspect process's peak RSS. Last line: one JSON object.
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { writeFile } from 'node:fs/promises'
import { availableParallelism, tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { generateEvolmRun } from './generate-evolm-run'

const GENERATOR_VERSION = '1'
const root = join(import.meta.dirname, '..')
const cli = join(root, 'out', 'main', 'cli.js')

const { values } = parseArgs({
  options: {
    'size-mb': { type: 'string', default: '1024' },
    dir: { type: 'string' },
    runs: { type: 'string', default: '3' },
  },
})
const sizeMb = Number(values['size-mb'])
const runs = Number(values.runs)
const dir = values.dir ?? join(tmpdir(), 'rubric-workbench-bench', `evolm-${sizeMb}mb`)

function files(d: string): string[] {
  return readdirSync(d, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(d, e.name)) : e.name.endsWith('.jsonl') ? [join(d, e.name)] : []
  )
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)] ?? Number.NaN
}

function timed(args: string[]): { ms: number; stdout: string; stderr: string } {
  const started = performance.now()
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 64 << 20 })
  const ms = performance.now() - started
  if (r.status !== 0) throw new Error(`${args.join(' ')} failed: ${r.stderr}`)
  return { ms, stdout: r.stdout, stderr: r.stderr }
}

if (!existsSync(cli)) throw new Error('build first: npm run build')
const marker = join(dir, `.generated-v${GENERATOR_VERSION}`)
if (!existsSync(marker)) {
  console.log(`generating ~${sizeMb} MB EvoLM tree in ${dir} …`)
  const t = performance.now()
  await generateEvolmRun(dir, sizeMb * 1e6)
  await writeFile(marker, '')
  console.log(`  generated in ${((performance.now() - t) / 1000).toFixed(1)} s`)
}
const all = files(dir)
const bytes = all.reduce((a, f) => a + statSync(f).size, 0)
console.log(`${all.length} files, ${(bytes / 1e6).toFixed(0)} MB`)

timed([join(root, 'bench', 'plain-read.js'), ...all]) // warm the page cache
const plain: number[] = []
const inspect: number[] = []
let peakKb = 0
let pairs = 0
for (let i = 0; i < runs; i++) {
  plain.push(timed([join(root, 'bench', 'plain-read.js'), ...all]).ms)
  const r = timed(['--import', join(root, 'bench', 'report-peak-rss.js'), cli, 'inspect', dir, '--json'])
  inspect.push(r.ms)
  peakKb = Math.max(peakKb, Number(/peak-rss-kb (\d+)/.exec(r.stderr)?.[1] ?? 0))
  pairs = (JSON.parse(r.stdout) as { pairs: number }).pairs
  console.log(
    `  run ${i + 1}: plain read ${(plain[i]! / 1000).toFixed(2)} s, inspect ${(inspect[i]! / 1000).toFixed(2)} s`
  )
}
const plainS = median(plain) / 1000
const inspectS = median(inspect) / 1000
const result = {
  bytes,
  pairs,
  cores: availableParallelism(),
  plain_read_s: Number(plainS.toFixed(3)),
  inspect_s: Number(inspectS.toFixed(3)),
  throughput_ratio: Number((plainS / inspectS).toFixed(3)),
  inspect_mb_per_s: Math.round(bytes / 1e6 / inspectS),
  peak_rss_mb: Math.round(peakKb / 1024),
}
console.log(
  `inspect reads at ${(result.throughput_ratio * 100).toFixed(0)}% of plain-read throughput; peak RSS ${result.peak_rss_mb} MB`
)
console.log(JSON.stringify(result))
