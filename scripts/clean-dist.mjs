// Empties a package's dist/ before its build: once, before tsup starts, rather than tsup's `clean`
// option, which each config of a package applies at its own start, while the package's other configs
// are already writing (and, with `dts`, each declaration worker removes every .d.ts when it starts).
// Run from the package's folder (`pnpm --filter <package> build`).
import { rmSync } from 'node:fs'

rmSync('dist', { recursive: true, force: true })
