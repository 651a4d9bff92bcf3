import { resolve } from 'node:path'
import { checkDrift, loadModel } from '../index.js'
import type { CommandIo } from './commands.js'
import { connect, parseDb } from './connect.js'
import { formatIssue, redactUrl } from './output.js'

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`

/** `cortex check <model> --against <url>`: exit 0 when the model fits the database, 1 when it drifted. */
export async function checkCommand(
  modelDir: string,
  flags: { readonly against: string; readonly json: boolean },
  io: CommandIo,
): Promise<number> {
  const target = parseDb(flags.against, io.cwd)
  const model = await loadModel(resolve(io.cwd, modelDir))
  const connector = await connect(target)
  let report: Awaited<ReturnType<typeof checkDrift>>
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
  const what = `${plural(tables, 'table')}, ${plural(columns, 'column')}, ${plural(probes, 'planned statement')}`
  if (report.ok) io.stdout.write(`ok: the model fits ${where} (${what})\n`)
  else io.stdout.write(`drift: ${plural(report.issues.length, 'problem')} against ${where} (${what})\n`)
  return report.ok ? 0 : 1
}
