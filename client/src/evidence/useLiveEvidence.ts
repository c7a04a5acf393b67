// Evidence items, live: loaded once (and after a reconnect), then kept current by 'evidence:changed'. The highest
// version per id wins; a progress push shares the version of its state, so an equal version replaces the item.
import { useCallback, useEffect, useMemo, useState } from 'react';
import { z } from 'zod';
import { custodyEntrySchema, evidenceItemSchema, type CustodyEntry, type EvidenceItem } from '../../../server/evidence/schema';
import { api, type EvidenceQuery } from '../api/endpoints';
import { toApiError, type ApiError } from '../api/http';
import { useSession } from '../session/SessionContext';

export interface LiveEvidence {
  items: EvidenceItem[] | null;
  error: ApiError | null;
  reload(): Promise<void>;
  upsert(item: EvidenceItem): void;
}

export function useLiveEvidence(query: EvidenceQuery | null): LiveEvidence {
  const { socket } = useSession();
  const [byId, setById] = useState<Map<string, EvidenceItem> | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const key = JSON.stringify(query);

  const reload = useCallback(async () => {
    if (query === null) { setById(null); return; }
    try {
      const list = await api.evidence(query);
      setById(new Map(list.map((i) => [i.id, i])));
      setError(null);
    } catch (e) {
      setError(toApiError(e));
    }
  }, [key]); // eslint-disable-line react-hooks/exhaustive-deps -- the query by value

  // Only items already in the list (police search), every item (the room's own list, query {}), or every item of
  // the one incident asked for (an incident's detail).
  const everything = query !== null && Object.keys(query).filter((k) => k !== 'limit').length === 0;
  const incident = query !== null && Object.keys(query).every((k) => k === 'incident' || k === 'limit') ? query.incident ?? null : null;
  const upsert = useCallback((i: EvidenceItem) => {
    setById((m) => {
      if (!m) return m;
      const known = m.get(i.id);
      if (known && known.version > i.version) return m;
      if (!known && !everything && !(incident !== null && i.incidentId === incident)) return m;
      const next = new Map(m);
      // Police pushes carry reason null: keep what the list already showed.
      next.set(i.id, known && i.reason === null && known.reason !== null ? { ...i, reason: known.reason } : i);
      return next;
    });
  }, [everything, incident]);

  useEffect(() => { void reload(); }, [reload]);

  useEffect(() => {
    const onChanged = (payload: EvidenceItem) => {
      const p = evidenceItemSchema.safeParse(payload);
      if (!p.success) { console.error('evidence:changed does not match the contract', p.error.issues); return; }
      upsert(p.data);
    };
    let connectedOnce = socket.connected;
    const onConnect = () => { if (connectedOnce) void reload(); connectedOnce = true; };
    socket.on('evidence:changed', onChanged);
    socket.on('connect', onConnect);
    return () => { socket.off('evidence:changed', onChanged); socket.off('connect', onConnect); };
  }, [socket, upsert, reload]);

  const items = useMemo(() => byId && [...byId.values()].sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.number - a.number), [byId]);
  return { items, error, reload, upsert };
}

const custodyListSchema = z.array(custodyEntrySchema);

/**
 * The custody trail of an item someone has open, live: what it was opened with, then the whole trail again from
 * 'evidence:custody' after every entry (their own plays and downloads included), and once more after a
 * reconnect. A trail only grows, so a shorter one arriving late is dropped.
 */
export function useLiveCustody(itemId: string, opened: CustodyEntry[]): CustodyEntry[] {
  const { socket } = useSession();
  const [custody, setCustody] = useState(opened);
  useEffect(() => {
    const take = (list: unknown) => {
      const p = custodyListSchema.safeParse(list);
      if (!p.success) { console.error('custody trail does not match the contract', p.error.issues); return; }
      setCustody((now) => (p.data.length >= now.length ? p.data : now));
    };
    const watch = () => socket.emit('evidence:watch', itemId, (r) => {
      if (r.ok) take(r.custody); else console.warn('custody trail not followed', r.error);
    });
    const onCustody = (u: { itemId: string; custody: CustodyEntry[] }) => { if (u.itemId === itemId) take(u.custody); };
    socket.on('evidence:custody', onCustody);
    socket.on('connect', watch);
    if (socket.connected) watch();
    return () => {
      socket.off('evidence:custody', onCustody);
      socket.off('connect', watch);
      socket.emit('evidence:unwatch', itemId);
    };
  }, [socket, itemId]);
  return custody;
}
