import type { ReactNode } from 'react'

export const metadata = { title: 'idstitch on Next.js' }

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <head>
        {/* The script tag, as on a marketing site: the queue stub, then the tracker with the relay. */}
        <script dangerouslySetInnerHTML={{ __html: 'window.idstitch=window.idstitch||function(){(idstitch.q=idstitch.q||[]).push(arguments)}' }} />
        <script defer src="/idstitch.js" data-endpoint="/api/identify" />
      </head>
      <body>{children}</body>
    </html>
  )
}
