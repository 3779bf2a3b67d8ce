import { spawnSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

// `pnpm test` runs `pnpm run api` (scripts/api-report.mjs) once, before the tests: it fails when a published
// entry's surface differs from its committed report. This shows that the check can fail.
const root = fileURLToPath(new URL('../..', import.meta.url))
const check = (entry: string) => spawnSync(process.execPath, ['scripts/api-report.mjs', '--only', entry], { cwd: root, encoding: 'utf8' })

describe('the API reports', () => {
  it('pass for an entry as committed, and fail, naming it, when its surface differs from its report', () => {
    expect(check('core/adapter').status).toBe(0)
    const file = fileURLToPath(new URL('../../packages/core/api/adapter.api.md', import.meta.url))
    const committed = readFileSync(file, 'utf8')
    try {
      // As if `export const checkJson` had gone from the entry without its report changing with it.
      writeFileSync(file, committed.replace(/export const checkJson/, 'export const checkJsonGone'))
      const changed = check('core/adapter')
      expect(changed.status).toBe(1)
      expect(changed.stderr).toContain('@idstitch/core adapter: the API changed')
    } finally {
      writeFileSync(file, committed)
    }
  }, 60_000)
})
