// Which flexible camera units are active now (inside an approved booking's window plus its margins): loaded once,
// then kept current by 'camera:activation' over socket.io, and loaded again after a reconnect. Walls show a flexible
// unit only while it is active (its legal basis, Gemeentewet 151c). Only for roles with 'live.status'.
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { activationSchema, type Activation } from '../../../server/bookings/schema';
import { api } from '../api/endpoints';
import { useCan, useSession } from './SessionContext';

export interface ActivationsValue {
  /** null until the first list has arrived (until then no flexible unit is shown). */
  active: ReadonlyMap<string, Activation> | null;
  /** False while the first list is on its way (a role without live.status: always true, nothing active). */
  ready: boolean;
}

const ActivationsContext = createContext<ActivationsValue>({ active: null, ready: true });

export function useActivations(): ActivationsValue {
  return useContext(ActivationsContext);
}

export function ActivationsProvider({ children }: { children: ReactNode }) {
  const { socket } = useSession();
  const available = useCan()('live.status');
  const [active, setActive] = useState<Map<string, Activation> | null>(null);
  // Changes pushed before the first list arrived are newer than the list's copy.
  const early = useRef<{ cameraId: string; activation: Activation | null }[]>([]);
  const retry = useRef<ReturnType<typeof setTimeout> | null>(null);

  const reload = useCallback(async () => {
    try {
      const list = await api.activations();
      setActive(() => {
        const m = new Map(list.map((a) => [a.cameraId, a]));
        for (const c of early.current.splice(0)) { if (c.activation) m.set(c.cameraId, c.activation); else m.delete(c.cameraId); }
        return m;
      });
    } catch (e) {
      console.warn('activations not loaded', e);
      if (retry.current) clearTimeout(retry.current);
      retry.current = setTimeout(() => { retry.current = null; void reloadRef.current(); }, 5000);
    }
  }, []);
  const reloadRef = useRef(reload);
  reloadRef.current = reload;
  useEffect(() => () => { if (retry.current) clearTimeout(retry.current); }, []);

  useEffect(() => {
    if (!available) return;
    void reload();
    const onChange = (payload: { cameraId: string; activation: Activation | null }) => {
      const a = payload?.activation === null ? null : activationSchema.safeParse(payload?.activation);
      if (a && !a.success) { console.error('camera:activation does not match the contract', a.error.issues); return; }
      const change = { cameraId: String(payload.cameraId), activation: a ? a.data : null };
      setActive((m) => {
        if (!m) { early.current.push(change); return m; }
        const next = new Map(m);
        if (change.activation) next.set(change.cameraId, change.activation); else next.delete(change.cameraId);
        return next;
      });
    };
    let connectedOnce = socket.connected;
    const onConnect = () => { if (connectedOnce) void reload(); connectedOnce = true; };
    socket.on('camera:activation', onChange);
    socket.on('connect', onConnect);
    return () => { socket.off('camera:activation', onChange); socket.off('connect', onConnect); };
  }, [available, socket, reload]);

  const value = useMemo(() => ({ active, ready: !available || active !== null }), [active, available]);
  return <ActivationsContext.Provider value={value}>{children}</ActivationsContext.Provider>;
}
