import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'
import { describe, expect, it } from 'vitest'

// The code's shape, held in `pnpm test` (#22): no function over about 60 lines, no import circle.

const root = fileURLToPath(new URL('../..', import.meta.url))
/** How long a function's body may be, in lines. */
const MAX_LINES = 60
/**
 * The functions allowed more, each with its reason. The tracker is one closure over its ids (visitor, contact,
 * owner tag), which the script tag's minifier turns into one-letter names: split into a module of its own for
 * the visitor cookie, it cost the script tag 73 B brotli with a shared record of the ids and 117 B with the ids
 * kept inside that module (session 17, both measured), bytes every page view pays.
 */
const LONGER: Record<string, number> = { 'packages/tracker/src/tracker.ts startTracker': 75 }

/** Every source file of the packages, tests aside. */
const sources = (): string[] =>
  readdirSync(join(root, 'packages')).flatMap((name) =>
    (readdirSync(join(root, 'packages', name, 'src'), { recursive: true }) as string[])
      .filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts') && !file.endsWith('.d.ts'))
      .map((file) => join(root, 'packages', name, 'src', file)),
  )

const parse = (file: string) => ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true)

/** A function's name as a reader finds it: its own, or the variable or property it is assigned to. */
const nameOf = (node: ts.SignatureDeclaration): string => {
  if (node.name) return node.name.getText()
  const { parent } = node
  if (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent)) return parent.name.getText()
  return '(anonymous)'
}

/** Each function whose body runs over `MAX_LINES`, as `file:line name (lines)`. */
const longFunctions = (file: string): string[] => {
  const source = parse(file)
  const found: string[] = []
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body) {
      const body = node.body as ts.Node
      const first = source.getLineAndCharacterOfPosition(body.getStart()).line
      const lines = source.getLineAndCharacterOfPosition(body.getEnd()).line - first + 1
      const name = nameOf(node as ts.SignatureDeclaration)
      if (lines > (LONGER[`${relative(root, file)} ${name}`] ?? MAX_LINES)) found.push(`${relative(root, file)}:${first + 1} ${name} (${lines} lines)`)
    }
    ts.forEachChild(node, visit)
  }
  visit(source)
  return found
}

/** The files `file` imports by relative path, type-only imports included (a type circle is a circle). */
const importsOf = (file: string): string[] =>
  parse(file)
    .statements.flatMap((statement) => ((ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement)) && statement.moduleSpecifier && ts.isStringLiteral(statement.moduleSpecifier) ? [statement.moduleSpecifier.text] : []))
    .filter((specifier) => specifier.startsWith('.'))
    .map((specifier) => resolve(dirname(file), specifier.replace(/\.js$/, '.ts')))

/** The circles among `files`' imports, each as the files around it. */
const circles = (files: string[]): string[][] => {
  const graph = new Map(files.map((file) => [file, importsOf(file)]))
  const found: string[][] = []
  const state = new Map<string, 'open' | 'done'>()
  const walk = (file: string, path: string[]): void => {
    if (state.get(file) === 'done') return
    if (state.get(file) === 'open') {
      found.push(path.slice(path.indexOf(file)).map((each) => relative(root, each)))
      return
    }
    state.set(file, 'open')
    for (const next of graph.get(file) ?? []) walk(next, [...path, next])
    state.set(file, 'done')
  }
  for (const file of files) walk(file, [file])
  return found
}

describe('the shape of the code', () => {
  it(`has no function over ${MAX_LINES} lines in packages/*/src`, () => {
    expect(sources().flatMap(longFunctions)).toEqual([])
  })

  it('has no import circle, types included', () => {
    expect(circles(sources())).toEqual([])
  })

  it('has every contract test set up its stand-ins through one helper (test/contract/helpers.ts)', () => {
    const dir = join(root, 'test', 'contract')
    const byHand = readdirSync(dir).filter((file) => file.endsWith('.test.ts') && /\b(startProviderServer|startSandbox)\(/.test(readFileSync(join(dir, file), 'utf8')))
    expect(byHand).toEqual([])
  })

  it('finds a long function and a circle when there is one (the checks can fail)', () => {
    const tmp = mkdtempSync(join(tmpdir(), 'idstitch-structure-'))
    writeFileSync(join(tmp, 'a.ts'), `import type { B } from './b.js'\nexport type A = B\nexport const long = () => {\n${'  void 0\n'.repeat(MAX_LINES)}}\n`)
    writeFileSync(join(tmp, 'b.ts'), `import type { A } from './a.js'\nexport type B = A | 1\n`)
    expect(longFunctions(join(tmp, 'a.ts'))).toEqual([expect.stringContaining('long (62 lines)')])
    expect(circles([join(tmp, 'a.ts'), join(tmp, 'b.ts')])).toHaveLength(1)
  })
})
