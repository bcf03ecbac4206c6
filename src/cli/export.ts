// `rubric-workbench export PATH --what rubrics|pairs|labels|report --format F --out FILE_OR_DIR
// [--force]`: rubrics with their evidence, human-verified preference pairs, audit labels or the
// offline report, written atomically outside the run. Prints what it wrote; the last line is JSON.
import { exportFormats, exportWhats, type ExportWhat } from '../shared/export'
import { withWorkbench, type Print, type RunOptions } from './open-workbench'

export async function exportCommand(
  path: string,
  options: RunOptions & { what: string; format?: string; out: string; force?: boolean; set?: string },
  out: Print,
  err: Print
): Promise<number> {
  if (!(exportWhats as readonly string[]).includes(options.what)) {
    err(`rubric-workbench: --what ${options.what} is not one of ${exportWhats.join(', ')}`)
    return 2
  }
  const what = options.what as ExportWhat
  const format = options.format ?? exportFormats[what][0] ?? ''
  return withWorkbench(path, options, err, async (wb) => {
    const result = await wb.exportRun({
      what,
      format,
      out: options.out,
      force: options.force === true,
      set: options.set ?? null,
    })
    out(
      `wrote ${result.rows} ${what === 'report' ? 'rubrics covered in the report' : what} as ${format} to ${result.path}`
    )
    out(JSON.stringify(result))
    return 0
  })
}
