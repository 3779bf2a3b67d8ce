import { existsSync } from 'node:fs'
import { chromium, type Browser, type BrowserContext, type ConsoleMessage, type Page } from 'playwright-core'

/** Debian's chromium, installed by .ci/run; override with CHROMIUM_PATH. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

/** Launches Debian's Chromium, headless. */
const start = (): Promise<Browser> => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium not found at ${CHROMIUM}: install Debian's chromium (apt-get install -y chromium), as .ci/run does, or set CHROMIUM_PATH`)
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      // Two registrable domains on 127.0.0.1: the site's own subdomains, and another of the company's domains (the cross-domain linker).
      '--host-resolver-rules=MAP *.example.test 127.0.0.1, MAP *.example-app.test 127.0.0.1',
    ],
  })
}

/** The browser a test file shares: what its tests use of playwright's `Browser`. */
export type Chromium = Pick<Browser, 'newContext' | 'version' | 'close'>

/**
 * Chromium for a test file, launched again for the next test if it went away: it crashed once in CI a second
 * after it started (crashpad, nothing of the page's doing), and every later test of the file failed with it.
 * The test it crashed under fails; the e2e project's one retry runs it again on the new browser.
 */
export const launch = async (): Promise<Chromium> => {
  let browser = await start()
  return {
    newContext: async (options) => {
      if (!browser.isConnected()) browser = await start()
      return browser.newContext(options)
    },
    version: () => browser.version(),
    close: () => browser.close(),
  }
}

/** Waits until the script tag has loaded and replaced the stub. */
export const ready = (page: Page) => page.waitForFunction(() => typeof window.idstitch === 'function' && 'getVisitorId' in window.idstitch, null, { timeout: 5_000 })

/** A console error, with the address of the resource it is about (a failed load names none in its text). */
export const consoleError = (message: ConsoleMessage): string => (message.location().url ? `${message.text()} (${message.location().url})` : message.text())

/** A fresh profile that accepts the test site's self-signed certificate, and records console errors. */
export const newContext = async (browser: Chromium, options: { userAgent?: string } = {}): Promise<{ context: BrowserContext; errors: string[]; open: (url: string) => Promise<Page> }> => {
  // Chromium's own, not headless Chromium's: idstitch treats "HeadlessChrome" as a bot (isbot), as a real site should.
  const userAgent = `Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${browser.version()} Safari/537.36`
  const context = await browser.newContext({ ignoreHTTPSErrors: true, userAgent: options.userAgent ?? userAgent })
  const errors: string[] = []
  const open = async (url: string) => {
    const page = await context.newPage()
    page.on('console', (message) => message.type() === 'error' && errors.push(consoleError(message)))
    page.on('pageerror', (error) => errors.push(error.message))
    await page.goto(url)
    return page
  }
  return { context, errors, open }
}
