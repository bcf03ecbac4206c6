// The benchmark's baseline: a plain streaming read of the same files, 1 MiB chunks, bytes counted.
import { createReadStream } from 'node:fs'

const started = performance.now()
let bytes = 0
for (const file of process.argv.slice(2)) {
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) bytes += chunk.length
}
console.log(JSON.stringify({ bytes, ms: performance.now() - started }))
