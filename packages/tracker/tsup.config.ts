import { defineConfig } from 'tsup'

export default defineConfig([
  // ESM for front-ends: js-cookie stays a dependency, @idstitch/core/cookies is inlined.
  { entry: { index: 'src/index.ts' }, format: ['esm'], dts: true, clean: true, target: 'es2018', noExternal: ['@idstitch/core'] },
  // The script tag: one minified IIFE, everything bundled.
  {
    entry: { idstitch: 'src/script-tag.ts' },
    format: ['iife'],
    minify: true,
    target: 'es2018',
    noExternal: [/.*/],
    // js-cookie's MIT notice ships in the package's THIRD_PARTY_LICENSES, not in every page load.
    esbuildOptions: (options) => {
      options.legalComments = 'none'
    },
    outExtension: () => ({ js: '.js' }),
  },
])
