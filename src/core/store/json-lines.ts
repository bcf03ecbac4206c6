// Appending to a JSON Lines file durably: the rows are written in one append and flushed before
// the call returns. A torn last line left by a crash is fenced off with a newline first, so it
// stays one unreadable line instead of spoiling the next row.
import { mkdir, open } from 'node:fs/promises'
import { dirname } from 'node:path'

export async function appendJsonLines(file: string, rows: readonly unknown[]): Promise<void> {
  if (rows.length === 0) return
  await mkdir(dirname(file), { recursive: true })
  const handle = await open(file, 'a+')
  try {
    const { size } = await handle.stat()
    let fence = ''
    if (size > 0) {
      const last = Buffer.alloc(1)
      await handle.read(last, 0, 1, size - 1)
      if (last[0] !== 0x0a) fence = '\n'
    }
    await handle.appendFile(fence + rows.map((r) => JSON.stringify(r)).join('\n') + '\n')
    await handle.datasync()
  } finally {
    await handle.close()
  }
}
