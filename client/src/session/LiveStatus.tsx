// Which cameras are live: loaded once, then kept current by 'camera:status' over socket.io (the server pushes
// each change; a camera that stops publishing is offline within seconds). Only for roles with 'live.status'.
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { cameraStatusSchema } from '../../../server/live/schema';
import { api, type CameraStatus } from '../api/endpoints';
import { useCan, useSession } from './SessionContext';

export interface LiveStatusValue {
  /** False for roles that may not see live status: the console then shows only enabled/disabled. */
  available: boolean;
  /** True once the first list has arrived. Before that, a camera's state is unknown (not offline). */
  loaded: boolean;
  /** The status of one camera; a camera the media server has not seen since it started is offline. */
  get(cameraId: string): CameraStatus | null;
}

const LiveStatusContext = createContext<LiveStatusValue | null>(null);

export function useLiveStatus(): LiveStatusValue {
  const v = useContext(LiveStatusContext);
  if (!v) throw new Error('useLiveStatus outside LiveStatusProvider');
  return v;
}

const offline = (cameraId: string): CameraStatus => ({
  cameraId, online: false, since: null, bitrateKbps: null, fps: null, width: null, height: null, lastFrameAt: null, subStreamOnline: false, bridge: null,
});

export function LiveStatusProvider({ children }: { children: ReactNode }) {
  const { socket } = useSession();
  const available = useCan()('live.status');
  const [board, setBoard] = useState<Map<string, CameraStatus> | null>(null);
  const pushedBeforeLoad = useRef<CameraStatus[]>([]);

  const reload = useCallback(async () => {
    try {
      const list = await api.liveStatus();
      setBoard(() => {
        const m = new Map(list.map((s) => [s.cameraId, s]));
        // A push that overtook the list is newer than the list's copy.
        for (const s of pushedBeforeLoad.current.splice(0)) m.set(s.cameraId, s);
        return m;
      });
    } catch (e) {
      // Not fatal: try again shortly (pushes that arrive meanwhile are kept and applied on top).
      console.warn('live status not loaded', e);
      if (retry.current) clearTimeout(retry.current);
      retry.current = setTimeout(() => { retry.current = null; void reloadRef.current(); }, 5000);
    }
  }, []);
  const reloadRef = useRef(reload);
  reloadRef.current = reload;
  const retry = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEffect(() => () => { if (retry.current) clearTimeout(retry.current); }, []);

  useEffect(() => {
    if (!available) return;
    void reload();
    const onStatus = (payload: CameraStatus) => {
      const p = cameraStatusSchema.safeParse(payload);
      if (!p.success) { console.error('camera:status does not match the contract', p.error.issues); return; }
      setBoard((m) => {
        if (!m) { pushedBeforeLoad.current.push(p.data); return m; }
        const next = new Map(m);
        next.set(p.data.cameraId, p.data);
        return next;
      });
    };
    // Changes made while disconnected were not pushed: load the whole board again.
    let connectedOnce = socket.connected;
    const onConnect = () => { if (connectedOnce) void reload(); connectedOnce = true; };
    socket.on('camera:status', onStatus);
    socket.on('connect', onConnect);
    return () => { socket.off('camera:status', onStatus); socket.off('connect', onConnect); };
  }, [available, socket, reload]);

  const value = useMemo<LiveStatusValue>(() => ({
    available,
    loaded: board !== null,
    get: (id) => (board ? board.get(id) ?? offline(id) : null),
  }), [available, board]);
  return <LiveStatusContext.Provider value={value}>{children}</LiveStatusContext.Provider>;
}
