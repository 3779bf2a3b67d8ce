import { idstitchIds } from '@idstitch/next'
import { IdstitchProvider } from '@idstitch/react'
import type { ReactNode } from 'react'

export const metadata = { title: 'idstitch on Next.js' }

export default async function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        {/* The request's ids, so the server renders what the browser hydrates to. */}
        <IdstitchProvider options={{ endpoint: '/api/identify' }} initial={await idstitchIds()}>
          {children}
        </IdstitchProvider>
      </body>
    </html>
  )
}
