// GET /api/cluster, kept current: asked again every few seconds (a node's heartbeat and its leases change without
// an event to the consoles) and soon after a camera's status changes (a takeover or a move shows as cameras going
// offline and online). The last answer stays on screen while the next one is fetched, and a failed refresh keeps
// it too (with the error beside it), so the view never blanks or flickers.
import { useCallback, useEffect, useRef, useState } from 'react';
import { clusterApi, type Cluster } from '../api/cluster';
import { toApiError, type ApiError } from '../api/http';
import { useCan, useSession } from '../session/SessionContext';

export interface ClusterState {
  cluster: Cluster | null;
  /** When the shown answer arrived (browser clock, for ages: see heartbeatAgeMs). */
  fetchedAt: number;
  /** The last fetch failed (cluster, if any, is the answer before). */
  error: ApiError | null;
  reload(): Promise<void>;
}

// A takeover changes many cameras' status within a second or two: one fetch after the burst, not one per camera.
const AFTER_STATUS_MS = 1500;

export function useCluster(everyMs: number): ClusterState {
  const { socket } = useSession();
  const allowed = useCan()('cluster.read');
  const [shown, setShown] = useState<{ cluster: Cluster | null; fetchedAt: number; error: ApiError | null }>({ cluster: null, fetchedAt: 0, error: null });
  const running = useRef<Promise<void> | null>(null);
  const alive = useRef(true);
  useEffect(() => { alive.current = true; return () => { alive.current = false; }; }, []);

  const reload = useCallback(() => {
    // One request at a time: a refresh asked for while one runs is answered by that one.
    running.current ??= clusterApi.cluster().then(
      (cluster) => { if (alive.current) setShown({ cluster, fetchedAt: Date.now(), error: null }); },
      (e) => { if (alive.current) setShown((s) => ({ ...s, error: toApiError(e) })); },
    ).finally(() => { running.current = null; });
    return running.current;
  }, []);

  useEffect(() => {
    if (!allowed) return;
    void reload();
    // A console in a background tab does not need fresh figures; it catches up when it is shown again.
    const tick = setInterval(() => { if (!document.hidden) void reload(); }, everyMs);
    const onVisible = () => { if (!document.hidden) void reload(); };
    document.addEventListener('visibilitychange', onVisible);
    let soon: ReturnType<typeof setTimeout> | null = null;
    const onStatus = () => { soon ??= setTimeout(() => { soon = null; void reload(); }, AFTER_STATUS_MS); };
    const onConnect = () => void reload();
    socket.on('camera:status', onStatus);
    socket.on('connect', onConnect);
    return () => {
      clearInterval(tick);
      if (soon) clearTimeout(soon);
      document.removeEventListener('visibilitychange', onVisible);
      socket.off('camera:status', onStatus);
      socket.off('connect', onConnect);
    };
  }, [allowed, everyMs, reload, socket]);

  return { ...shown, reload };
}
