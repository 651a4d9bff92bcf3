/**
 * The README as npm shows it: npm renders README.md without the repository around it, so a relative
 * link (docs/queries.md) leads nowhere there. Every link must be absolute or an anchor of the README
 * itself, and every link into the repository must name a file (and heading) that exists. The Quick
 * start itself is run, as written, by scripts/check-package.mjs (npm run lint:package).
 */
import { existsSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { REPO } from '../cli/run-cli.js'

const README = readFileSync(join(REPO, 'README.md'), 'utf8')
const PKG = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as {
  repository: { url: string }
  homepage: string
  bugs: { url: string }
  scripts: Record<string, string>
}
const HOME = 'https://github.com/cortex-semantic/cortex-semantic'

/** Markdown links `[text](target)` outside code blocks. */
function links(markdown: string): string[] {
  const prose = markdown.replace(/```[\s\S]*?```/g, '')
  return [...prose.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]!)
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
function anchors(markdown: string): Set<string> {
  const prose = markdown.replace(/```[\s\S]*?```/g, '')
  return new Set(
    [...prose.matchAll(/^#{1,6} (.+)$/gm)].map((m) =>
      m[1]!
        .trim()
        .toLowerCase()
        .replace(/[^\p{L}\p{N} _-]/gu, '')
        .replace(/ /g, '-'),
    ),
  )
}

describe('README.md as npm shows it', () => {
  it('links only to absolute addresses or to its own headings', () => {
    const relative = links(README).filter((target) => !/^https?:\/\//.test(target) && !target.startsWith('#'))
    expect(relative).toEqual([])
    for (const target of links(README).filter((t) => t.startsWith('#')))
      expect(anchors(README), target).toContain(target.slice(1))
  })

  it("links into the repository name files and headings that exist, on the package's own repository", () => {
    const inRepo = links(README).filter((target) => target.startsWith(`${HOME}/`))
    expect(inRepo.length).toBeGreaterThan(10)
    for (const target of inRepo) {
      const m = /^https:\/\/github\.com\/cortex-semantic\/cortex-semantic\/(blob|tree)\/main\/([^#]+)(?:#(.+))?$/.exec(
        target,
      )
      expect(m, target).not.toBeNull()
      const [, kind, path, anchor] = m!
      const file = join(REPO, decodeURIComponent(path!))
      expect(existsSync(file), target).toBe(true)
      expect(statSync(file).isDirectory(), `${target}: tree/ for folders, blob/ for files`).toBe(kind === 'tree')
      if (anchor) expect(anchors(readFileSync(file, 'utf8')), target).toContain(anchor)
    }
  })

  it('package.json names the same repository for the source, the home page and issues', () => {
    expect(PKG.repository.url).toBe(`git+${HOME}.git`)
    expect(PKG.homepage).toBe(`${HOME}#readme`)
    expect(PKG.bugs.url).toBe(`${HOME}/issues`)
  })

  it('npm pack builds dist/ first (prepack), so a fresh clone packs a working package', () => {
    expect(PKG.scripts['prepack']).toBe('npm run build')
    expect(PKG.scripts['lint:package']).toBe('node scripts/check-package.mjs')
    expect(readFileSync(join(REPO, '.ci/run'), 'utf8')).toMatch(/^npm run lint:package$/m)
  })

  it('marks the Quick start blocks that scripts/check-package.mjs runs: one install, files, commands, output', () => {
    const section = README.slice(
      README.indexOf('## Quick start'),
      README.indexOf('\n## ', README.indexOf('## Quick start') + 1),
    )
    const marks = [...section.matchAll(/<!-- quick-start: (install|file \S+|run|output) -->\n```/g)].map(
      (m) => m[1]!.split(' ')[0],
    )
    expect(marks.filter((m) => m === 'install')).toHaveLength(1)
    expect(marks.filter((m) => m === 'output')).toHaveLength(1)
    expect(marks).toContain('file')
    expect(marks).toContain('run')
    // Every code block in the section is marked, so none of them is left out of the check.
    expect(marks).toHaveLength(section.match(/^```\w*$/gm)!.length / 2)
  })
})
