// The app shell of a logged-in console: one realtime socket for the session, the session's live data (camera registry,
// live status, activations, privacy masks), the header and the role's views.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { Me } from '../../../server/auth/schema';
import { api } from '../api/endpoints';
import { toApiError } from '../api/http';
import { connectRealtime, type RoomSocket } from '../api/realtime';
import { AppHeader } from '../components/AppHeader';
import { SkipLink } from '../components/SkipLink';
import { useErrorText } from '../components/errors';
import { MasksProvider } from '../masks/MasksProvider';
import { NotificationBell } from '../notifications/NotificationBell';
import { ActivationsProvider } from '../session/Activations';
import { CameraRegistryProvider } from '../session/CameraRegistry';
import { LiveStatusProvider } from '../session/LiveStatus';
import { SessionContext, type SessionValue } from '../session/SessionContext';
import { ConsoleNav, RoleConsole, useConsoleViews } from '../views/consoles';

interface Props { me: Me; onSessionEnded(): void; onLoggedOut(): void }

export function LoggedIn({ me, onSessionEnded, onLoggedOut }: Props) {
  const [socket] = useState<RoomSocket>(() => connectRealtime());
  const [live, setLive] = useState(false);
  const [loggingOut, setLoggingOut] = useState(false);
  const [logoutError, setLogoutError] = useState<string | null>(null);
  const leaving = useRef(false);
  const errorText = useErrorText();

  useEffect(() => {
    const up = () => setLive(true);
    const down = () => setLive(false);
    const ended = () => { if (!leaving.current) onSessionEnded(); };
    const refused = (err: Error) => {
      setLive(false);
      // The handshake middleware refuses an expired or revoked session: back to login.
      if (err.message === 'unauthenticated' && !leaving.current) onSessionEnded();
    };
    socket.on('connect', up);
    socket.on('disconnect', down);
    socket.on('connect_error', refused);
    socket.on('session:ended', ended);
    if (!socket.connected && !socket.active) socket.connect();
    return () => {
      socket.off('connect', up);
      socket.off('disconnect', down);
      socket.off('connect_error', refused);
      socket.off('session:ended', ended);
    };
  }, [socket, onSessionEnded]);
  // The socket lives exactly as long as this console.
  useEffect(() => () => { socket.disconnect(); }, [socket]);

  const logout = useCallback(async () => {
    leaving.current = true;
    setLoggingOut(true);
    setLogoutError(null);
    try {
      await api.logout();
      socket.disconnect();
      onLoggedOut();
    } catch (e) {
      const err = toApiError(e);
      if (err.status === 401) { socket.disconnect(); onLoggedOut(); return; }
      leaving.current = false;
      setLoggingOut(false);
      setLogoutError(errorText(err));
    }
  }, [socket, onLoggedOut, errorText]);

  const session: SessionValue = useMemo(() => ({ me, socket, live, logout }), [me, socket, live, logout]);
  const views = useConsoleViews(me.role);

  return (
    <SessionContext.Provider value={session}>
      <CameraRegistryProvider>
        <LiveStatusProvider>
          <ActivationsProvider>
            <MasksProvider>
              <SkipLink />
              <AppHeader me={me} live={live} onLogout={() => void logout()} loggingOut={loggingOut}
                nav={<ConsoleNav views={views.list} current={views.current} role={me.role} />} notifications={<NotificationBell />} />
              {logoutError && <p className="banner banner--error" role="alert">{logoutError}</p>}
              <main id="main" className="main" tabIndex={-1} data-testid={`console-${me.role}`}>
                <RoleConsole view={views.current} />
              </main>
            </MasksProvider>
          </ActivationsProvider>
        </LiveStatusProvider>
      </CameraRegistryProvider>
    </SessionContext.Provider>
  );
}
