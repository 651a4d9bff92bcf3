import { watch, type FSWatcher } from 'node:fs'
import { basename, dirname } from 'node:path'

export interface FileWatch {
  close(): void
}

/**
 * Watch local files for changes: one fs.watch per folder (not per file), because editors and atomic
 * writers replace a file by renaming another over it, which ends a watch on the file itself. Events
 * for other names in the folder are ignored; an event without a name (some platforms) counts for every
 * watched file of the folder. A folder that cannot be watched (missing) is skipped.
 */
export function watchFiles(
  files: readonly { readonly table: string; readonly path: string }[],
  onChange: (table: string) => void,
): FileWatch {
  const byFolder = new Map<string, { table: string; name: string }[]>()
  for (const f of files) {
    const folder = dirname(f.path)
    const list = byFolder.get(folder) ?? []
    list.push({ table: f.table, name: basename(f.path) })
    byFolder.set(folder, list)
  }
  const watchers: FSWatcher[] = []
  for (const [folder, list] of byFolder) {
    try {
      const w = watch(folder, { persistent: false }, (_event, filename) => {
        const name = filename === null ? undefined : String(filename)
        for (const f of list) if (name === undefined || name === f.name) onChange(f.table)
      })
      w.on('error', () => w.close())
      watchers.push(w)
    } catch {
      // Not watchable (missing folder, no permission): reload() and refreshEveryMs still work.
    }
  }
  return {
    close() {
      for (const w of watchers) w.close()
    },
  }
}
