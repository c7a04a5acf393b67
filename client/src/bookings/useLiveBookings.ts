// Bookings, live: loaded once (and after a reconnect), then kept current by 'booking:changed'. The highest version
// per id wins, so a late or repeated push never takes a booking back to an older state.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { bookingSchema, type Booking } from '../../../server/bookings/schema';
import { api, type BookingQuery } from '../api/endpoints';
import { toApiError, type ApiError } from '../api/http';
import { useSession } from '../session/SessionContext';

export interface LiveBookings {
  /** null while loading the first time. */
  bookings: Booking[] | null;
  error: ApiError | null;
  reload(): Promise<void>;
  /** Puts a booking this console just changed into the list without waiting for the socket. */
  upsert(b: Booking): void;
}

/** query: what to load (null: nothing yet). keep: whether a pushed booking belongs in this list (e.g. its status). */
export function useLiveBookings(query: BookingQuery | null, keep: (b: Booking) => boolean = () => true): LiveBookings {
  const { socket } = useSession();
  const [byId, setById] = useState<Map<string, Booking> | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const early = useRef<Booking[]>([]);
  const key = JSON.stringify(query);
  const keepRef = useRef(keep);
  keepRef.current = keep;
  // Versions seen, also of bookings that left the list: a stale push must not bring one back.
  const seen = useRef(new Map<string, number>());

  const put = useCallback((m: Map<string, Booking>, b: Booking) => {
    if ((seen.current.get(b.id) ?? 0) > b.version) return;
    seen.current.set(b.id, b.version);
    if (keepRef.current(b)) m.set(b.id, b); else m.delete(b.id);
  }, []);

  const reload = useCallback(async () => {
    const q = JSON.parse(key) as BookingQuery | null;
    if (!q) return;
    try {
      const list = await api.bookings(q);
      setById(() => {
        const m = new Map<string, Booking>();
        for (const b of list) {
          if ((seen.current.get(b.id) ?? 0) <= b.version) seen.current.set(b.id, b.version);
          m.set(b.id, b);
        }
        for (const b of early.current.splice(0)) put(m, b);
        return m;
      });
      setError(null);
    } catch (e) {
      setError(toApiError(e));
    }
  }, [key, put]);

  const upsert = useCallback((b: Booking) => {
    setById((m) => {
      if (!m) { early.current.push(b); return m; }
      const next = new Map(m);
      put(next, b);
      return next;
    });
  }, [put]);

  useEffect(() => { setById(null); void reload(); }, [reload]);

  useEffect(() => {
    const onChanged = (payload: Booking) => {
      const p = bookingSchema.safeParse(payload);
      if (!p.success) { console.error('booking:changed does not match the contract', p.error.issues); return; }
      upsert(p.data);
    };
    let connectedOnce = socket.connected;
    const onConnect = () => { if (connectedOnce) void reload(); connectedOnce = true; };
    socket.on('booking:changed', onChanged);
    socket.on('connect', onConnect);
    return () => { socket.off('booking:changed', onChanged); socket.off('connect', onConnect); };
  }, [socket, upsert, reload]);

  const bookings = useMemo(() => byId && [...byId.values()].sort((a, b) =>
    (a.windows[0]?.start ?? '').localeCompare(b.windows[0]?.start ?? '') || a.createdAt.localeCompare(b.createdAt)), [byId]);
  return { bookings, error, reload, upsert };
}

/** The booking id in the hash: #/bookings/<id> or #/planning/<id>. */
export function useHashSelection(view: string): [string | null, (id: string | null) => void] {
  const read = () => {
    const m = new RegExp(`^#/?${view}/([^/?#]+)`).exec(window.location.hash);
    return m ? decodeURIComponent(m[1]!) : null;
  };
  const [id, setId] = useState<string | null>(read);
  useEffect(() => {
    const onHash = () => setId(read());
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, [view]);
  const select = useCallback((next: string | null) => {
    const hash = next ? `#/${view}/${encodeURIComponent(next)}` : `#/${view}`;
    if (window.location.hash !== hash) window.location.hash = hash;
    setId(next);
  }, [view]);
  return [id, select];
}
