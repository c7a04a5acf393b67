// The header on every page: product name, and when logged in the user, role, connection state and logout.
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { Me } from '../../../server/auth/schema';
import { Clock } from './Clock';
import { LanguageSwitch } from './LanguageSwitch';

interface Props {
  me?: Me;
  live?: boolean;
  onLogout?: () => void;
  loggingOut?: boolean;
  nav?: ReactNode;
  /** The console's messages (a bell with the unread count), when logged in. */
  notifications?: ReactNode;
}

export function AppHeader({ me, live, onLogout, loggingOut, nav, notifications }: Props) {
  const { t } = useTranslation();
  return (
    <header className="app-header">
      <div className="app-header__brand">
        <span className="brand" data-testid="brand">Uitkijk</span>
        <span className="brand-sub">{t('app.tagline')}</span>
      </div>
      {nav}
      <div className="app-header__tools">
        <Clock />
        {me && (
          <span className={`live-state ${live ? 'live-state--up' : 'live-state--down'}`} role="status" data-testid="live-state">
            <span className="dot" aria-hidden="true" />
            {live ? t('app.live') : t('app.offline')}
          </span>
        )}
        <LanguageSwitch />
        {me && notifications}
        {me && (
          <>
            <span className="current-user" data-testid="current-user">
              <span className="current-user__name">{me.displayName}</span>
              <span className="current-user__role">{t(`roles.${me.role}`)}</span>
            </span>
            <button type="button" className="button button--quiet" onClick={onLogout} disabled={loggingOut} data-testid="logout">
              {t('app.logout')}
            </button>
          </>
        )}
      </div>
    </header>
  );
}
