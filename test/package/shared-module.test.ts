import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'
import { describe, expect, it } from 'vitest'
import { alias, entry, installed, OWN } from '../../packages/node/tsup.config.js'

// @idstitch/node's build points every import of its entries' own modules (OWN) at dist/shared.js, by the
// imported name (tsup.config.ts, the idstitch-shared-module plugin). A name src/shared.ts exports from another
// module than the one imported would bind to the wrong thing, and nothing would fail at load: this checks,
// with TypeScript's checker resolving every re-export, that each such name is the very binding imported.

const node = fileURLToPath(new URL('../../packages/node/', import.meta.url))
const shared = join(node, 'src/shared.ts')

/** The node package's entries as its build resolves them: @idstitch/core from its sources (tsup's alias). */
const program = () => {
  const paths = Object.fromEntries(Object.entries(alias).map(([specifier, file]) => [specifier, [file]]))
  const options: ts.CompilerOptions = { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler, types: ['node'], paths, baseUrl: node, noEmit: true, skipLibCheck: true }
  return ts.createProgram([...Object.values(entry).map((file) => join(node, file)), shared], options)
}

/** A name's binding, through any re-exports. */
const bindingOf = (checker: ts.TypeChecker, symbol: ts.Symbol): ts.Symbol => (symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol)

/** One imported name, and its binding (none for a default or namespace import, which shared.js cannot serve). */
interface Imported {
  file: string
  specifier: string
  name: string
  binding: ts.Symbol | undefined
}

/** Every value import of an OWN module whose module is neither OWN nor installed: the imports the plugin sends to dist/shared.js. */
const redirectedImports = (built: ts.Program, checker: ts.TypeChecker): Imported[] =>
  built.getSourceFiles().flatMap((file) => {
    if (!OWN.test(file.fileName)) return []
    return file.statements.filter(ts.isImportDeclaration).flatMap((statement): Imported[] => {
      const specifier = (statement.moduleSpecifier as ts.StringLiteral).text
      const target = checker.getSymbolAtLocation(statement.moduleSpecifier)?.valueDeclaration?.getSourceFile().fileName
      const clause = statement.importClause
      if (installed.test(specifier) || clause === undefined || clause.isTypeOnly || (target !== undefined && OWN.test(target))) return []
      const bindings = clause.namedBindings
      if (clause.name || (bindings && ts.isNamespaceImport(bindings))) return [{ file: file.fileName, specifier, name: '(a default or namespace import)', binding: undefined }]
      return (bindings?.elements ?? [])
        .filter((element) => !element.isTypeOnly)
        .map((element) => ({ file: file.fileName, specifier, name: (element.propertyName ?? element.name).text, binding: bindingOf(checker, checker.getSymbolAtLocation(element.name) as ts.Symbol) }))
    })
  })

describe("@idstitch/node's shared module", () => {
  it('exports, under each name an entry imports from it, the binding that entry imports', () => {
    const built = program()
    const checker = built.getTypeChecker()
    const module = checker.getSymbolAtLocation(built.getSourceFile(shared) as ts.SourceFile) as ts.Symbol
    const exported = new Map(checker.getExportsOfModule(module).map((symbol) => [symbol.name, bindingOf(checker, symbol)]))
    const imports = redirectedImports(built, checker)
    // The check sees the imports (the adapters alone import a dozen names from the core).
    expect(imports.length).toBeGreaterThan(20)
    const wrong = imports.filter(({ name, binding }) => binding === undefined || exported.get(name) !== binding)
    expect(wrong.map(({ file, specifier, name }) => `${file.slice(node.length - 5)}: ${name} from ${specifier}`)).toEqual([])
  })
})
