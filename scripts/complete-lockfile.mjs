// Completes package-lock.json with entries for platform-specific optional packages that this
// workspace's registry does not serve (only Linux builds are mirrored). npm writes a lockfile
// without them and then its own `npm ci` rejects that lockfile (npm/cli#9846). Each placeholder
// carries the os/cpu/libc of its platform, so npm ci skips it everywhere it cannot run.
// Run after `npm install` changes the lockfile: node scripts/complete-lockfile.mjs
import { readFileSync, writeFileSync } from 'node:fs'

const path = new URL('../package-lock.json', import.meta.url)
const lock = JSON.parse(readFileSync(path, 'utf8'))
const OS = ['android', 'darwin', 'freebsd', 'linux', 'openbsd', 'openharmony', 'win32', 'sunos', 'aix', 'netbsd']
const CPU = {
  arm: 'arm',
  'arm-eabi': 'arm',
  gnueabihf: 'arm',
  arm64: 'arm64',
  x64: 'x64',
  ia32: 'ia32',
  loong64: 'loong64',
  ppc64: 'ppc64',
  riscv64: 'riscv64',
  s390x: 's390x',
  wasm32: 'wasm32',
}

function platformOf(name) {
  const parts = name.split('/').pop().split('-')
  const os = parts.find((p) => OS.includes(p))
  const cpu = parts.map((p) => CPU[p]).find(Boolean)
  const libc =
    parts.includes('musl') || parts.includes('musleabihf')
      ? 'musl'
      : parts.includes('gnu') || parts.includes('gnueabihf')
        ? 'glibc'
        : undefined
  return os && cpu ? { os, cpu, libc } : undefined
}

let added = 0
for (const [key, pkg] of Object.entries(lock.packages)) {
  for (const [dep, version] of Object.entries(pkg.optionalDependencies ?? {})) {
    const base = key === '' ? 'node_modules' : `${key}/node_modules`
    const candidates = [`${base}/${dep}`, `node_modules/${dep}`]
    if (candidates.some((c) => lock.packages[c])) continue
    const platform = platformOf(dep)
    if (!platform) continue
    lock.packages[`node_modules/${dep}`] = {
      version,
      optional: true,
      os: [platform.os],
      cpu: [platform.cpu],
      ...(platform.libc ? { libc: [platform.libc] } : {}),
      dev: pkg.dev === true ? true : undefined,
    }
    added++
  }
}
lock.packages = Object.fromEntries(
  Object.entries(lock.packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a < b ? -1 : 1)),
)
writeFileSync(path, `${JSON.stringify(lock, null, 2)}\n`)
console.log(`complete-lockfile: added ${added} placeholder entries`)
