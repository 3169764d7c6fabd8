import { useState } from 'preact/hooks';

/** The token berthd printed (also in <data-root>/web-token) sets the login cookie. */
export function LoginPage({ onLogin }: { onLogin: () => void }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState('');
  const submit = async (e: Event) => {
    e.preventDefault();
    const r = await fetch('/login', { method: 'POST', body: JSON.stringify({ token: token.trim() }) });
    if (r.ok) onLogin();
    else setError('Wrong token');
  };
  return (
    <form class="login" onSubmit={submit}>
      <h1>berth</h1>
      <p>Paste the token berthd printed at start (kept in &lt;data-root&gt;/web-token, readable by root only).</p>
      <input
        type="password"
        name="token"
        value={token}
        onInput={(e) => setToken((e.target as HTMLInputElement).value)}
        placeholder="token"
      />
      <button type="submit">Log in</button>
      {error && <p class="error">{error}</p>}
    </form>
  );
}
