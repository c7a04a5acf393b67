// Login: username and password. A wrong password and a throttled account each get a clear message in role="alert".
import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { Me } from '../../../server/auth/schema';
import { api } from '../api/endpoints';
import { toApiError, type ApiError } from '../api/http';
import { useErrorText } from '../components/errors';

export type LoginNotice = 'ended' | 'loggedOut';

interface Props { notice?: LoginNotice; onLoggedIn(me: Me): void }

export function LoginPage({ notice, onLoggedIn }: Props) {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const ids = { user: useId(), password: useId(), error: useId(), heading: useId() };
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [missing, setMissing] = useState<'username' | 'password' | null>(null);
  const [waitUntil, setWaitUntil] = useState<number | null>(null);
  const [now, setNow] = useState(() => Date.now());
  const userRef = useRef<HTMLInputElement>(null);
  const passwordRef = useRef<HTMLInputElement>(null);

  useEffect(() => { userRef.current?.focus(); }, []);
  // Count the throttle wait down, so the user sees when to try again.
  useEffect(() => {
    if (waitUntil === null) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [waitUntil]);
  const secondsLeft = waitUntil === null ? 0 : Math.max(0, Math.ceil((waitUntil - now) / 1000));
  const throttled = secondsLeft > 0;

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (busy || throttled) return;
    if (!username.trim()) { setMissing('username'); setError(null); userRef.current?.focus(); return; }
    if (!password) { setMissing('password'); setError(null); passwordRef.current?.focus(); return; }
    setMissing(null);
    setBusy(true);
    setError(null);
    try {
      onLoggedIn(await api.login(username, password));
    } catch (e) {
      const err = toApiError(e);
      setError(err);
      if (err.status === 429) {
        setWaitUntil(Date.now() + (err.retryAfterSeconds ?? 60) * 1000);
        setNow(Date.now());
      }
      setPassword('');
      passwordRef.current?.focus();
      setBusy(false);
    }
  }

  const waitText = (s: number) => (s >= 120 ? t('login.waitMinutes', { count: Math.ceil(s / 60) }) : t('login.waitSeconds', { count: s }));
  let message: string | null = null;
  if (missing) message = t(missing === 'username' ? 'login.needUsername' : 'login.needPassword');
  else if (error?.status === 429) message = throttled ? t('login.throttled', { wait: waitText(secondsLeft) }) : t('login.throttledOver');
  else if (error?.code === 'bad_credentials') message = t('login.badCredentials');
  else if (error) message = errorText(error);

  return (
    <section className="login" aria-labelledby={ids.heading}>
      <h1 id={ids.heading}>{t('login.title')}</h1>
      <p className="muted">{t('login.intro')}</p>
      {notice && !message && (
        <p className="banner banner--info" role="status" data-testid="login-notice">{t(`login.notice.${notice}`)}</p>
      )}
      <form className="form" onSubmit={submit} noValidate aria-describedby={message ? ids.error : undefined} data-testid="login-form">
        <div className="field">
          <label htmlFor={ids.user}>{t('login.username')}</label>
          <input id={ids.user} ref={userRef} name="username" autoComplete="username" autoCapitalize="none" spellCheck={false}
            value={username} onChange={(e) => setUsername(e.target.value)} aria-invalid={missing === 'username' || undefined} required />
        </div>
        <div className="field">
          <label htmlFor={ids.password}>{t('login.password')}</label>
          <input id={ids.password} ref={passwordRef} name="password" type="password" autoComplete="current-password"
            value={password} onChange={(e) => setPassword(e.target.value)}
            aria-invalid={missing === 'password' || error?.code === 'bad_credentials' || undefined} required />
        </div>
        <div role="alert" id={ids.error} className="alert-slot" data-testid="login-error">
          {message && <p className="banner banner--error">{message}</p>}
        </div>
        <button type="submit" className="button button--primary" disabled={busy || throttled} data-testid="login-submit">
          {busy ? t('login.busy') : t('login.submit')}
        </button>
      </form>
    </section>
  );
}
