import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

// The docs, held in `pnpm test` (#22, item 6): the README stays short, every page the docs promise is there,
// every relative link resolves (to a heading, when it names one), and every complete code example type-checks.

const root = fileURLToPath(new URL('../..', import.meta.url))
const read = (file: string) => readFileSync(join(root, file), 'utf8')

/** Every Markdown file a reader meets: the README, ARCHITECTURE.md, docs/ and each package's README. */
const pages = (): string[] => [
  'README.md',
  'ARCHITECTURE.md',
  ...(readdirSync(join(root, 'docs'), { recursive: true }) as string[]).filter((file) => file.endsWith('.md')).map((file) => join('docs', file)),
  ...readdirSync(join(root, 'packages')).map((name) => join('packages', name, 'README.md')),
]

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as dashes. */
const anchorOf = (heading: string) =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-')

/** The anchors of a Markdown file's headings, outside code fences. */
const anchorsIn = (text: string): Set<string> => {
  const anchors = new Set<string>()
  let fenced = false
  for (const line of text.split('\n')) {
    if (line.startsWith('```')) fenced = !fenced
    else if (!fenced && /^#{1,6} /.test(line)) anchors.add(anchorOf(line.replace(/^#+ /, '')))
  }
  return anchors
}

/** Each relative link of `page` that does not resolve: a missing file, or a missing heading. */
const brokenLinks = (page: string): string[] => {
  const text = read(page).replace(/```[\s\S]*?```/g, '')
  return [...text.matchAll(/\]\(([^)\s]+)\)/g)]
    .map((match) => match[1] as string)
    .filter((target) => !/^[a-z]+:/i.test(target))
    .filter((target) => {
      const [path = '', anchor] = target.split('#')
      const file = path === '' ? join(root, page) : resolve(dirname(join(root, page)), path)
      if (!existsSync(file)) return true
      if (anchor === undefined || !file.endsWith('.md') || statSync(file).isDirectory()) return false
      return !anchorsIn(readFileSync(file, 'utf8')).has(anchor)
    })
    .map((target) => `${page}: ${target}`)
}

/**
 * What the examples may assume of the reader's app, as the prose around them says: the request and response
 * of its login route, its user, its session lookup, its Express app, its client and a message.
 */
const AMBIENT = `
declare const req: import('node:http').IncomingMessage
declare const res: import('node:http').ServerResponse
declare const user: { externalId: string; email: string; plan: string }
declare const getSession: (request: Request) => Promise<{ userId: string } | undefined>
declare const app: { post(path: string, handler: (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => void): void }
declare const idstitch: import('@idstitch/node').IdstitchClient
declare const message: import('@idstitch/node').IdentifyMessage
`

/**
 * The complete examples: TypeScript blocks that start with their imports and import only idstitch's packages
 * and Node's. Blocks that import an example app's own files are that app's, shown verbatim and compiled with it
 * (test/e2e/next.test.ts holds them to the files).
 */
const completeExamples = (): { name: string; code: string }[] =>
  pages().flatMap((page) =>
    [...read(page).matchAll(/```ts\n([\s\S]*?)```/g)]
      .map((match, index) => ({ name: `${page.replace(/[/.]/g, '_')}_${index}.ts`, code: match[1] as string }))
      .filter(({ code }) => /^(\/\/[^\n]*\n)*import /.test(code))
      .filter(({ code }) => [...code.matchAll(/from '([^']+)'/g)].every(([, from]) => /^(@idstitch\/|node:)/.test(from as string))),
  )

describe('the docs', () => {
  it('keep the README short: at most about 250 lines', () => {
    expect(read('README.md').split('\n').length).toBeLessThanOrEqual(250)
  })

  it('have a page for each reader, and ARCHITECTURE.md for whoever carries the code on', () => {
    for (const page of ['getting-started', 'login-route', 'relay', 'tracker', 'cookies', 'deploying', 'react-and-next', 'testing', 'queue', 'reference', 'providers/README']) {
      expect(existsSync(join(root, 'docs', `${page}.md`)), page).toBe(true)
    }
    expect(readdirSync(join(root, 'docs', 'providers')).length).toBeGreaterThan(10)
    expect(read('ARCHITECTURE.md')).toMatch(/## One identify's path[\s\S]*## The core's fence[\s\S]*## The test layers/)
  })

  it('link only to files and headings that exist', () => {
    expect(pages().flatMap(brokenLinks)).toEqual([])
    // The check can fail: a link to a missing heading is found.
    expect(anchorsIn('# A page\n## Errors and codes\n```\n# not a heading\n```').has('errors-and-codes')).toBe(true)
  })

  it("show examples/next's files verbatim in React and Next.js (test/e2e/next.test.ts builds and runs them)", () => {
    const page = read('docs/react-and-next.md')
    for (const file of ['lib/idstitch.ts', 'proxy.ts', 'app/api/identify/route.ts', 'app/api/identify-edge/route.ts', 'app/actions.ts', 'app/layout.tsx', 'app/ids.tsx']) {
      expect(page, file).toContain(`// ${file}\n${read(`examples/next/${file}`)}`)
    }
  })

  it('type-check every complete code example against the built packages', () => {
    const examples = completeExamples()
    expect(examples.length).toBeGreaterThan(5)
    // Under test/node_modules: the packages resolve from there, and neither the linter nor the test package's tsc looks in.
    const dir = join(root, 'test', 'node_modules', '.docs-examples')
    rmSync(dir, { recursive: true, force: true })
    mkdirSync(dir, { recursive: true })
    writeFileSync(join(dir, 'ambient.d.ts'), AMBIENT)
    for (const { name, code } of examples) writeFileSync(join(dir, name), `${code}\nexport {}\n`)
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ extends: '../../tsconfig.json', include: ['*.ts'], exclude: [] }))
    let output = ''
    try {
      execFileSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '--noEmit', '-p', join(dir, 'tsconfig.json')], { encoding: 'utf8', cwd: dir })
    } catch (error) {
      output = String((error as { stdout?: string }).stdout)
    }
    expect(output.split('\n').filter(Boolean)).toEqual([])
  }, 60_000)
})
