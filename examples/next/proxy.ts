// Sets the visitor cookie from the server (Safari caps cookies written by scripts at 7 days). On Next 15: middleware.ts, `export const middleware`.
import { idstitchProxy } from '@idstitch/next'

export const proxy = idstitchProxy()
export const config = { matcher: ['/((?!api/|_next/|favicon.ico).*)'] }
