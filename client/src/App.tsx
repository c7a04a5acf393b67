// The console's top level: check the session, show login or the console made for the user's role.
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Me } from '../../server/auth/schema';
import { api } from './api/endpoints';
import { setSessionLostHandler } from './api/http';
import { AppHeader } from './components/AppHeader';
import { SkipLink } from './components/SkipLink';
import { LoginPage, type LoginNotice } from './views/LoginPage';
import { LoggedIn } from './shell/LoggedIn';

type SessionState =
  | { status: 'checking' }
  | { status: 'anonymous'; notice?: LoginNotice }
  | { status: 'active'; me: Me };

export function App() {
  const { t } = useTranslation();
  const [state, setState] = useState<SessionState>({ status: 'checking' });

  useEffect(() => {
    let cancelled = false;
    api.session()
      .then((me) => { if (!cancelled) setState({ status: 'active', me }); })
      .catch(() => { if (!cancelled) setState({ status: 'anonymous' }); });
    return () => { cancelled = true; };
  }, []);

  // Any 401 during work, or 'session:ended' from the server, brings the user back to login with a notice.
  const sessionEnded = useCallback(() => {
    setState((s) => (s.status === 'active' ? { status: 'anonymous', notice: 'ended' } : s));
  }, []);
  useEffect(() => { setSessionLostHandler(sessionEnded); return () => setSessionLostHandler(null); }, [sessionEnded]);

  const loggedOut = useCallback(() => setState({ status: 'anonymous', notice: 'loggedOut' }), []);

  if (state.status === 'active') {
    return <LoggedIn key={state.me.id} me={state.me} onSessionEnded={sessionEnded} onLoggedOut={loggedOut} />;
  }
  return (
    <>
      <SkipLink />
      <AppHeader />
      <main id="main" className="main main--narrow" tabIndex={-1}>
        {state.status === 'checking'
          ? <p className="muted" role="status">{t('common.loading')}</p>
          : <LoginPage notice={state.notice} onLoggedIn={(me) => setState({ status: 'active', me })} />}
      </main>
    </>
  );
}
