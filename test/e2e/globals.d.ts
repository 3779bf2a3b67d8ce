// What the test pages expose, as seen from page.evaluate().
interface Window {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  idstitch: any
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  esm: any
  /** js-cookie, loaded by a test as a provider's tracker would use it. */
  jsCookie: typeof import('js-cookie').default
  log: unknown[]
}
