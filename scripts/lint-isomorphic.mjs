// The isomorphic fence: @idstitch/core runs in browsers, Node and edge workers,
// so its source may not touch platform globals or Node built-ins. Its tsconfig
// has no DOM or Node types, which catches most of this; this check also catches
// what a cast could smuggle past the compiler.
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'

const root = new URL('..', import.meta.url).pathname
const fenced = [{ dir: 'packages/core/src', forbidden: [/\bfrom ['"]node:/, /\brequire\(/, /\b(window|document|process|Buffer|localStorage|navigator|globalThis)\b/, /\bfrom ['"](ky|js-cookie|cookie)['"]/] }]

const files = (dir) =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    return statSync(path).isDirectory() ? files(path) : path.endsWith('.ts') && !path.endsWith('.test.ts') ? [path] : []
  })

let problems = 0
for (const { dir, forbidden } of fenced) {
  for (const file of files(join(root, dir))) {
    readFileSync(file, 'utf8').split('\n').forEach((line, index) => {
      if (/^\s*(\/\/|\/?\*)/.test(line)) return
      for (const pattern of forbidden) {
        if (pattern.test(line)) {
          problems++
          console.error(`${relative(root, file)}:${index + 1}: platform code in the isomorphic core (${pattern}): ${line.trim()}`)
        }
      }
    })
  }
}
if (problems > 0) process.exit(1)
console.log('lint: the core is platform-free')
