export default function Home() {
  return (
    <main>
      <h1>Pricing</h1>
      <p>The marketing page: the tracker gives this visitor an id.</p>
      <a href="/login">Log in</a>
    </main>
  )
}
