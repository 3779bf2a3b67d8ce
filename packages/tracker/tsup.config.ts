import { defineConfig } from 'tsup'

export default defineConfig([
  // ESM (and CJS, for tools that still require) for front-ends: @idstitch/core/cookies is inlined (its types
  // refer to it, so it is a dependency too); js-cookie stays an import, so an app that already uses it loads it once.
  // metafile: for scripts/notices.mjs, which writes THIRD_PARTY_NOTICES.md from what the bundles hold.
  { entry: { index: 'src/index.ts' }, format: ['esm', 'cjs'], dts: true, target: 'es2018', noExternal: ['@idstitch/core'], metafile: true },
  // The cross-domain linker: ESM for front-ends, and its own opt-in script tag (idstitch.linker.js).
  { entry: { linker: 'src/linker.ts' }, format: ['esm', 'cjs'], dts: true, target: 'es2018', noExternal: ['@idstitch/core'] },
  // The script tags (idstitch.js, and the linker's opt-in idstitch.linker.js): each one minified IIFE, everything bundled; its types declare window.idstitch. Also as .cjs, the
  // same bytes for require() (an IIFE is both), since a .js file in this package is ESM to Node.
  // es2020 (`?.`, `??` as written: every browser since 2020) and terser, whose second pass makes the tag
  // ~80 B brotli smaller than esbuild's minifier (bench §1): every page view pays for the tag.
  ...['.js', '.cjs'].flatMap((extension) => [
    ['idstitch', 'src/script-tag.ts'],
    ['idstitch.linker', 'src/linker-tag.ts'],
  ].map(([name, source]) => ({
    entry: { [name as string]: source as string },
    format: ['iife'],
    minify: 'terser' as const,
    terserOptions: { ecma: 2020 as const, compress: { passes: 2 }, toplevel: true },
    target: 'es2020',
    noExternal: [/.*/],
    // The .d.ts; the build copies it as .d.cts for require().
    dts: extension === '.js',
    // One metafile for the two copies (the same bytes): both builds run at once and would write the same file.
    metafile: extension === '.js' && name === 'idstitch',
    // No licence comments in every page load: js-cookie's notice ships in THIRD_PARTY_NOTICES.md.
    esbuildOptions: (options) => {
      options.legalComments = 'none'
    },
    outExtension: () => ({ js: extension, dts: '.d.ts' }),
  }))),
])
