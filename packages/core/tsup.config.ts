import { defineConfig } from 'tsup'

export default defineConfig({
  entry: { index: 'src/index.ts', cookies: 'src/cookies-entry.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  target: 'es2022',
  sourcemap: true,
})
