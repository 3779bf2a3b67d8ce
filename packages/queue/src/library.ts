declare const __IDSTITCH_NAME__: string
declare const __IDSTITCH_VERSION__: string

/** The SDK named in what providers record (Segment's `context.library`); set from package.json at build time. */
export const LIBRARY = Object.freeze({ name: __IDSTITCH_NAME__, version: __IDSTITCH_VERSION__ })
