import { cookies } from 'next/headers'
import { login, logout } from '../actions'
import { Ids } from '../ids'
import { SESSION_COOKIE } from '../../lib/idstitch'

export default async function LoginPage() {
  const user = (await cookies()).get(SESSION_COOKIE)?.value
  return (
    <main>
      <p id="session">{user ? `logged in as ${user}` : 'logged out'}</p>
      <Ids />
      <form action={login}>
        <input name="user" defaultValue="usr_next_ada" />
        <button id="login" type="submit">Log in</button>
      </form>
      <form action={logout}>
        <button id="logout" type="submit">Log out</button>
      </form>
    </main>
  )
}
