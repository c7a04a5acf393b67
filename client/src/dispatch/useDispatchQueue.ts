// The dispatch queue as the console keeps it: GET /api/alerts on connect and after every reconnect, and the
// 'dispatch:alert' outbox messages in between (delivered at least once: DispatchQueue drops a messageId it has seen
// and keeps the highest version of each alert). New and escalated alerts are signalled once each.
import { useCallback, useEffect, useRef, useState } from 'react';
import { dispatchMessageSchema, type Alert, type DispatchMessage } from '../../../server/incidents/schema';
import { DispatchQueue } from '../../../server/incidents/queue';
import { api } from '../api/endpoints';
import { toApiError, type ApiError } from '../api/http';
import { useSession } from '../session/SessionContext';

export type SignalKind = 'new' | 'escalated';
export interface Signal { alert: Alert; kind: SignalKind; at: number }

export interface DispatchQueueState {
  queue: DispatchQueue;
  /** Open alerts: priority, then oldest first. */
  open: Alert[];
  loaded: boolean;
  error: ApiError | null;
  reload(): Promise<void>;
  /** Puts an alert this console just changed into the queue (merged by version). */
  put(alert: Alert): void;
}

export function useDispatchQueue(onSignal: (s: Signal) => void): DispatchQueueState {
  const { socket } = useSession();
  const [queue] = useState(() => new DispatchQueue());
  const [open, setOpen] = useState<Alert[]>([]);
  const [loaded, setLoaded] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const signal = useRef(onSignal);
  signal.current = onSignal;
  const loadedOnce = useRef(false);

  const refresh = useCallback(() => setOpen(queue.open()), [queue]);

  const reload = useCallback(async () => {
    try {
      const list = await api.alerts({ state: 'open', limit: 500 });
      const wasOpen = queue.open();
      const fresh = list.filter((a) => !queue.get(a.id));
      queue.load(list);
      // Open here but missing from the list: closed while the connection was down. Fetch their last state.
      const gone = wasOpen.filter((a) => !list.some((l) => l.id === a.id));
      await Promise.all(gone.map((a) => api.alert(a.id).then((x) => queue.load([x]), () => {})));
      refresh();
      // After a reconnect, alerts raised meanwhile still signal (the first load only shows what is waiting).
      if (loadedOnce.current) for (const a of fresh) if (a.status === 'raised') signal.current({ alert: a, kind: a.escalatedAt ? 'escalated' : 'new', at: Date.now() });
      loadedOnce.current = true;
      setLoaded(true);
      setError(null);
    } catch (e) {
      setError(toApiError(e));
    }
  }, [queue, refresh]);

  const put = useCallback((a: Alert) => { queue.load([a]); refresh(); }, [queue, refresh]);

  useEffect(() => {
    const onMessage = (payload: DispatchMessage) => {
      const p = dispatchMessageSchema.safeParse(payload);
      if (!p.success) { console.error('dispatch:alert does not match the contract', p.error.issues); return; }
      const m = p.data;
      const r = queue.apply(m);
      if (r === 'duplicate' || r === 'stale') return;
      refresh();
      if (m.alert.status !== 'raised') return;
      if (m.kind === 'raised' && r === 'new') signal.current({ alert: m.alert, kind: 'new', at: Date.now() });
      else if (m.kind === 'escalated') signal.current({ alert: m.alert, kind: 'escalated', at: Date.now() });
    };
    // On connect and on every reconnect: the queue as the server has it (messages missed meanwhile included).
    const onConnect = () => { void reload(); };
    socket.on('dispatch:alert', onMessage);
    socket.on('connect', onConnect);
    if (socket.connected) void reload();
    return () => { socket.off('dispatch:alert', onMessage); socket.off('connect', onConnect); };
  }, [socket, queue, reload, refresh]);

  return { queue, open, loaded, error, reload, put };
}
