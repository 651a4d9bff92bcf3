/** Argument handling of the model lifecycle commands (generate, diff, check); main.ts dispatches here. */
import { SQL_DIALECT_NAMES, sqlDialectNamed, type SqlDialectName } from '../sql/dialects/registry.js'
import type { CommandIo } from './commands.js'
import { checkCommand } from './check.js'
import { diffCommand } from './diff.js'
import { generateCommand } from './generate.js'

/** The parsed options these commands read (a subset of main.ts's OPTIONS). */
export interface LifecycleValues {
  readonly model?: string
  readonly dialect?: string
  readonly json?: boolean
  readonly from?: string
  readonly schema?: string
  readonly tables?: string
  readonly out?: string
  readonly force?: boolean
  readonly queries?: readonly string[]
  readonly context?: string
  readonly strict?: boolean
  readonly against?: string
}

export async function lifecycleCommand(
  command: 'generate' | 'diff' | 'check',
  values: LifecycleValues,
  rest: readonly string[],
  io: CommandIo,
  usage: (message: string) => never,
): Promise<number> {
  switch (command) {
    case 'generate': {
      if (rest.length) usage(`Unexpected argument '${rest[0]}'.`)
      const tables = values.tables
        ?.split(',')
        .map((t) => t.trim())
        .filter(Boolean)
      if (tables && tables.length === 0) usage('--tables needs at least one table name (comma-separated).')
      return generateCommand(
        {
          from: values.from ?? usage('cortex generate needs --from <url>.'),
          out: values.out ?? usage('cortex generate needs --out <dir>.'),
          force: values.force === true,
          ...(values.schema === undefined ? {} : { schema: values.schema }),
          ...(tables ? { tables } : {}),
        },
        io,
      )
    }
    case 'diff': {
      // An unquoted glob is expanded by the shell: the files after the two folders are query files too.
      if (rest.length < 2 || (rest.length > 2 && !values.queries?.length)) {
        usage('cortex diff takes the old and the new model folder.')
      }
      const dialect = values.dialect ?? 'postgres'
      if (!sqlDialectNamed(dialect)) {
        usage(`Unknown dialect '${dialect}'. Use one of: ${SQL_DIALECT_NAMES.join(', ')}.`)
      }
      return diffCommand(
        rest[0]!,
        rest[1]!,
        {
          queries: [...(values.queries ?? []), ...rest.slice(2)],
          dialect: dialect as SqlDialectName,
          json: values.json === true,
          strict: values.strict === true,
          ...(values.context === undefined ? {} : { context: parseContext(values.context, usage) }),
        },
        io,
      )
    }
    case 'check': {
      const model =
        values.model !== undefined && rest.length === 0
          ? values.model
          : rest.length === 1
            ? rest[0]!
            : usage('cortex check takes exactly one model folder.')
      const against = values.against ?? usage('cortex check needs --against <url>.')
      return checkCommand(model, { against, json: values.json === true }, io)
    }
  }
}

function parseContext(text: string, usage: (message: string) => never): Record<string, unknown> {
  const problem = '--context must be a JSON object, e.g. \'{"tenantId":"t1"}\'.'
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    usage(problem)
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) usage(problem)
  return value as Record<string, unknown>
}
