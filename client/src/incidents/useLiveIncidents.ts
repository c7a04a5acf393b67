// The room's incidents, live: loaded once, then kept current by 'incident:changed' (the highest version per id wins,
// so a late or repeated push never takes an incident back). Loaded again after a reconnect.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { incidentSchema, type Incident } from '../../../server/incidents/schema';
import { api } from '../api/endpoints';
import { toApiError, type ApiError } from '../api/http';
import { useSession } from '../session/SessionContext';

export type IncidentFilter = 'open' | 'closed' | 'all';

export interface LiveIncidents {
  /** Newest tagged first; null while loading the first time. */
  incidents: Incident[] | null;
  error: ApiError | null;
  loading: boolean;
  reload(): Promise<void>;
  /** Puts an incident the console just changed into the list without waiting for the socket. */
  upsert(incident: Incident): void;
}

const matches = (i: Incident, f: IncidentFilter) => f === 'all' || i.status === f;

export function useLiveIncidents(filter: IncidentFilter = 'open', limit = 200): LiveIncidents {
  const { socket } = useSession();
  const [byId, setById] = useState<Map<string, Incident> | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [loading, setLoading] = useState(false);
  // Pushes that arrive while a list is loading are newer than (or as new as) the list: applied on top of it.
  const early = useRef<Incident[]>([]);

  const put = useCallback((m: Map<string, Incident>, i: Incident) => {
    const known = m.get(i.id);
    if (known && known.version > i.version) return;
    if (matches(i, filter)) m.set(i.id, i); else m.delete(i.id);
  }, [filter]);

  const reload = useCallback(async () => {
    setLoading(true);
    try {
      const list = await api.incidents({ status: filter, limit });
      setById(() => {
        const m = new Map<string, Incident>();
        for (const i of list) m.set(i.id, i);
        for (const i of early.current.splice(0)) put(m, i);
        return m;
      });
      setError(null);
    } catch (e) {
      setError(toApiError(e));
    } finally {
      setLoading(false);
    }
  }, [filter, limit, put]);

  const upsert = useCallback((i: Incident) => {
    setById((m) => {
      if (!m) { early.current.push(i); return m; }
      const next = new Map(m);
      put(next, i);
      return next;
    });
  }, [put]);

  useEffect(() => { setById(null); void reload(); }, [reload]);

  useEffect(() => {
    const onChanged = (payload: Incident) => {
      const p = incidentSchema.safeParse(payload);
      if (!p.success) { console.error('incident:changed does not match the contract', p.error.issues); return; }
      upsert(p.data);
    };
    // What changed while the connection was down was not pushed: load the list again.
    let connectedOnce = socket.connected;
    const onConnect = () => { if (connectedOnce) void reload(); connectedOnce = true; };
    socket.on('incident:changed', onChanged);
    socket.on('connect', onConnect);
    return () => { socket.off('incident:changed', onChanged); socket.off('connect', onConnect); };
  }, [socket, upsert, reload]);

  const incidents = useMemo(() => byId && [...byId.values()]
    .sort((a, b) => b.taggedAt.localeCompare(a.taggedAt) || b.number - a.number).slice(0, limit), [byId, limit]);
  return { incidents, error, loading, reload, upsert };
}
