import { resolve } from 'node:path'
import { checkDrift, loadModel } from '../index.js'
import type { CommandIo } from './commands.js'
import { connect, parseDb } from './connect.js'
import { formatIssue, redactUrl } from './output.js'

/** `cortex check <model> --against <url>`: exit 0 when the model fits the database, 1 when it drifted. */
export async function checkCommand(modelDir: string, flags: { against: string; json: boolean }, io: CommandIo): Promise<number> {
  const target = parseDb(flags.against, io.cwd)
  const model = await loadModel(resolve(io.cwd, modelDir))
  const connector = await connect(target)
  let report
  try {
    report = await checkDrift({ model, connectors: { default: connector } })
  } finally {
    await connector.close()
  }
  if (flags.json) {
    io.stdout.write(`${JSON.stringify(report, null, 2)}\n`)
    return report.ok ? 0 : 1
  }
  for (const issue of report.issues) io.stdout.write(`${formatIssue(issue)}\n`)
  const { tables, columns, probes } = report.checked
  const where = target.kind === 'sqlite' ? target.location : redactUrl(target.location)
  const what = `${tables} table${tables === 1 ? '' : 's'}, ${columns} column${columns === 1 ? '' : 's'}, ${probes} planned statement${probes === 1 ? '' : 's'}`
  if (report.ok) io.stdout.write(`ok: the model fits ${where} (${what})\n`)
  else io.stdout.write(`drift: ${report.issues.length} problem${report.issues.length === 1 ? '' : 's'} against ${where} (${what})\n`)
  return report.ok ? 0 : 1
}
