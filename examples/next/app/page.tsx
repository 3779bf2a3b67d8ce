import { Ids } from './ids'

export default function Home() {
  return (
    <main>
      <h1>Pricing</h1>
      <p>The marketing page: the server gave this visitor an id.</p>
      <Ids />
      <a href="/login">Log in</a>
    </main>
  )
}
