// The console's messages (bookings requested, approved, rejected, changed, cancelled, starting soon), for every role:
// a button with the unread count in the header that opens the list. Loaded once (and after a reconnect), then kept
// current by 'notification'. Worded here from kind + details, in the reader's language.
import { useCallback, useEffect, useId, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { notificationSchema, type Notification } from '../../../server/notifications/schema';
import { api } from '../api/endpoints';
import { formatDateTime } from '../format';
import { useSession } from '../session/SessionContext';
import { clock, dayLabel } from '../bookings/time';

export function useNotificationText(): (n: Notification) => string {
  const { t, i18n } = useTranslation();
  return useCallback((n: Notification) => {
    const d = n.details as { reference?: string; eventName?: string; reason?: string; urgent?: boolean; reopened?: boolean; units?: number; startsAt?: string; municipalityId?: string };
    const base = { reference: d.reference ?? '', event: d.eventName ?? '' };
    switch (n.kind) {
      case 'booking.requested': return t(d.urgent ? 'notifications.kinds.requestedUrgent' : 'notifications.kinds.requested', base);
      case 'booking.approved': return t('notifications.kinds.approved', { ...base, count: d.units ?? 0 });
      case 'booking.rejected': return t('notifications.kinds.rejected', { ...base, reason: d.reason ?? '' });
      case 'booking.changed': return t(d.reopened ? 'notifications.kinds.changedReopened' : 'notifications.kinds.changed', base);
      case 'booking.cancelled': return t('notifications.kinds.cancelled', { ...base, reason: d.reason ?? '' });
      case 'booking.starts_soon': return t('notifications.kinds.startsSoon', {
        ...base, when: d.startsAt ? `${dayLabel(d.startsAt, i18n.language, 'ccc d LLL')} ${clock(d.startsAt)}` : '',
      });
    }
  }, [t, i18n.language]);
}

export function NotificationBell() {
  const { t, i18n } = useTranslation();
  const { socket, me } = useSession();
  const text = useNotificationText();
  const panelId = useId();
  const [items, setItems] = useState<Notification[] | null>(null);
  const [open, setOpen] = useState(false);
  const [announcement, setAnnouncement] = useState('');
  const buttonRef = useRef<HTMLButtonElement>(null);
  const rootRef = useRef<HTMLDivElement>(null);

  const load = useCallback(async () => {
    try { setItems(await api.notifications({ limit: 50 })); } catch (e) { console.warn('notifications not loaded', e); }
  }, []);

  const announceRef = useRef((n: Notification) => t('notifications.new', { text: text(n) }));
  announceRef.current = (n: Notification) => t('notifications.new', { text: text(n) });
  useEffect(() => { void load(); }, [load]);
  useEffect(() => {
    const onNote = (payload: Notification) => {
      const p = notificationSchema.safeParse(payload);
      if (!p.success) { console.error('notification does not match the contract', p.error.issues); return; }
      setItems((list) => (list ?? []).some((x) => x.id === p.data.id) ? list : [p.data, ...(list ?? [])].slice(0, 100));
      setAnnouncement(announceRef.current(p.data));
    };
    let connectedOnce = socket.connected;
    const onConnect = () => { if (connectedOnce) void load(); connectedOnce = true; };
    socket.on('notification', onNote);
    socket.on('connect', onConnect);
    return () => { socket.off('notification', onNote); socket.off('connect', onConnect); };
  }, [socket, load]);

  // Escape or a click outside closes the list; the focus goes back to the button.
  useEffect(() => {
    if (!open) return;
    const onKey = (e: KeyboardEvent) => { if (e.key === 'Escape') { e.preventDefault(); setOpen(false); buttonRef.current?.focus(); } };
    const onClick = (e: MouseEvent) => { if (!rootRef.current?.contains(e.target as Node)) setOpen(false); };
    window.addEventListener('keydown', onKey);
    window.addEventListener('mousedown', onClick);
    return () => { window.removeEventListener('keydown', onKey); window.removeEventListener('mousedown', onClick); };
  }, [open]);

  const unread = (items ?? []).filter((n) => !n.read).length;
  const markRead = async (body: { ids: number[] } | { all: true }) => {
    const ids = 'ids' in body ? new Set(body.ids) : null;
    setItems((list) => list && list.map((n) => (!ids || ids.has(n.id) ? { ...n, read: true } : n)));
    try { await api.markNotificationsRead(body); } catch { void load(); }
  };
  const view = me.role === 'municipality' ? 'bookings' : me.role === 'supervisor' ? 'planning' : null;
  const follow = (n: Notification) => {
    if (!n.read) void markRead({ ids: [n.id] });
    if (view && n.bookingId) { window.location.hash = `#/${view}/${encodeURIComponent(n.bookingId)}`; setOpen(false); }
  };

  return (
    <div className="bell" ref={rootRef}>
      <button ref={buttonRef} type="button" className={`button button--quiet bell__button${unread ? ' bell__button--unread' : ''}`} aria-expanded={open} aria-controls={panelId}
        onClick={() => setOpen((o) => !o)} data-testid="notifications-bell" data-unread={unread}
        aria-label={unread ? t('notifications.buttonUnread', { count: unread }) : t('notifications.button')}>
        <svg className="bell__icon" viewBox="0 0 16 16" width="18" height="18" aria-hidden="true" focusable="false">
          <path d="M8 1.5a4.5 4.5 0 0 0-4.5 4.5v2.7L2 11v1h12v-1l-1.5-2.3V6A4.5 4.5 0 0 0 8 1.5Zm-1.8 11.5a1.8 1.8 0 0 0 3.6 0Z" fill="currentColor" />
        </svg>
        {unread > 0 && <span className="bell__count" aria-hidden="true" data-testid="notifications-count">{unread > 99 ? '99+' : unread}</span>}
      </button>
      <p className="visually-hidden" role="status" aria-live="polite" data-testid="notifications-announcer">{announcement}</p>
      {open && (
        <div id={panelId} className="bell__panel" role="region" aria-label={t('notifications.title')} data-testid="notifications-panel">
          <div className="bell__head">
            <h2>{t('notifications.title')}</h2>
            <button type="button" className="button button--small" onClick={() => void markRead({ all: true })} disabled={unread === 0} data-testid="notifications-read-all">
              {t('notifications.readAll')}
            </button>
          </div>
          {items && items.length === 0 && <p className="empty">{t('notifications.none')}</p>}
          {items && items.length > 0 && (
            <ul className="bell__list">
              {items.map((n) => (
                <li key={n.id} className={`bell__item${n.read ? '' : ' bell__item--unread'}${n.kind === 'booking.requested' && (n.details as { urgent?: boolean }).urgent ? ' bell__item--urgent' : ''}`}
                  data-testid={`notification-${n.id}`} data-kind={n.kind} data-read={n.read ? 'true' : 'false'}>
                  <button type="button" className="bell__open" onClick={() => follow(n)}>
                    <span className="bell__text">{!n.read && <span className="visually-hidden">{t('notifications.unread')}: </span>}{text(n)}</span>
                    <span className="bell__at">{formatDateTime(n.at, i18n.language)}</span>
                  </button>
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
    </div>
  );
}
