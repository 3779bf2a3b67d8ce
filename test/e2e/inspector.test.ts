// The sandbox's inspector page in Chromium: each table shows the newest 1,000 rows, and a reconnection of its
// event stream (the sandbox restarted) starts the page again from what the sandbox replays, not on top of it.
import { createClient } from '@idstitch/node'
import { segment } from '@idstitch/node/providers'
import { sandboxOptions, startSandbox, type Sandbox } from '@idstitch/sandbox'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest'
import { launch, newContext, type Chromium } from './browser.js'

const VISITOR = 'a3ab2331-989f-4cfa-91c6-2461c9e3c6bd'

let browser: Chromium
beforeAll(async () => {
  browser = await launch()
})
afterAll(async () => {
  await browser?.close()
})

/** Identifies `users` through the sandbox's Segment stand-in (a batching provider: a few requests for them all). */
const identify = async (sandbox: Sandbox, users: string[]) => {
  const client = createClient({ logger: false, providers: [segment(sandboxOptions(sandbox.url).segment)] })
  const results = await Promise.all(users.map((userId) => client.identify({ userId, anonymousId: VISITOR })))
  await client.shutdown()
  expect(results.filter((result) => !result.ok)).toEqual([])
}

/** The user id of each row of the identifies table, newest first. */
const rowUsers = (page: Page) => page.locator('#rows tr td:nth-child(3)').allTextContents()

describe("the sandbox's inspector page", () => {
  it('shows the newest 1,000 identifies and stitches, and each once after its stream reconnects', async () => {
    const first = await startSandbox()
    onTestFinished(() => first.close())
    await identify(
      first,
      Array.from({ length: 1_005 }, (_, index) => `usr_${index}`),
    )
    const newest = first.inspected.at(-1)?.userId
    const { errors, open } = await newContext(browser)
    const page = await open(first.url)
    await page.waitForFunction((user) => document.querySelector('#rows tr td:nth-child(3)')?.textContent === user, newest)
    expect(await page.locator('#rows tr').count()).toBe(1_000)
    expect(await page.locator('#stitches tr').count()).toBe(1_000)
    expect(new Set(await rowUsers(page)).size).toBe(1_000)
    // Each table says how many it let go.
    expect(await page.locator('#rows-trimmed').isVisible()).toBe(true)
    expect(await page.locator('#rows-trimmed').textContent()).toBe('5 older identifies not shown.')
    expect(await page.locator('#stitches-trimmed').textContent()).toBe('5 older stitches not shown.')
    // The oldest five are the ones gone, from both tables.
    const gone = first.inspected.slice(0, 5).map((entry) => entry.userId)
    expect((await rowUsers(page)).filter((user) => gone.includes(user))).toEqual([])
    expect(await page.locator('#stitches tr').evaluateAll((trs, users) => trs.filter((tr) => users.includes((tr as HTMLElement).dataset.user ?? '')).length, gone)).toBe(0)

    // The sandbox restarts on the same port: the page's stream reconnects, and the new sandbox replays what it kept.
    const port = Number(new URL(first.url).port)
    await first.close()
    const second = await startSandbox({ port })
    onTestFinished(() => second.close())
    await identify(second, ['usr_after_restart'])
    await page.waitForFunction(() => document.querySelector('#rows tr td:nth-child(3)')?.textContent === 'usr_after_restart', null, { timeout: 15_000 })
    expect(await rowUsers(page)).toEqual(['usr_after_restart'])
    expect(await page.locator('#stitches tr').count()).toBe(1)
    expect(await page.locator('#rows-trimmed').isHidden()).toBe(true)
    expect(await page.locator('#stitches-trimmed').isHidden()).toBe(true)
    expect(errors.filter((error) => !error.includes('ERR_CONNECTION_REFUSED') && !error.includes('/events'))).toEqual([])
  }, 60_000)
})
