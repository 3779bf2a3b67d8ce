import { defineConfig } from 'tsup'

export default defineConfig([
  // ESM for front-ends: @idstitch/core/cookies is inlined; js-cookie stays a dependency, so an app that
  // already uses it loads it once.
  // metafile: for scripts/notices.mjs, which writes THIRD_PARTY_NOTICES.md from what the bundles hold.
  { entry: { index: 'src/index.ts' }, format: ['esm'], dts: true, clean: true, target: 'es2018', noExternal: ['@idstitch/core'], metafile: true },
  // The script tag: one minified IIFE, everything bundled.
  {
    entry: { idstitch: 'src/script-tag.ts' },
    format: ['iife'],
    minify: true,
    target: 'es2018',
    noExternal: [/.*/],
    metafile: true,
    // No licence comments in every page load: js-cookie's notice ships in THIRD_PARTY_NOTICES.md.
    esbuildOptions: (options) => {
      options.legalComments = 'none'
    },
    outExtension: () => ({ js: '.js' }),
  },
])
