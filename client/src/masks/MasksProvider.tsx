// The privacy masks of the cameras this console shows, read once per camera and kept current: a 'masks:changed'
// push reads that camera's masks again, a reconnect reads all of them again (pushes may have been missed), and a
// camera whose masks could not be read is tried again until they are. Until a camera's masks are known, and again
// from a change until they are read anew, its video stays hidden (TilePlayer): the console fails closed.
import { createContext, useCallback, useContext, useEffect, useLayoutEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import type { CameraMasks } from '../../../server/masks/schema';
import { api } from '../api/endpoints';
import { toApiError, type ApiError } from '../api/http';
import { useSession } from '../session/SessionContext';

export interface MasksEntry {
  /** The masks last read; null until the first answer. */
  masks: CameraMasks | null;
  /** False from a change (or a reconnect) until the masks are read again: no video may be shown meanwhile. */
  current: boolean;
  error: ApiError | null;
}

interface MasksValue {
  entries: ReadonlyMap<string, MasksEntry>;
  want(cameraId: string): void;
  /** Reads a camera's masks again now (after this console changed them). */
  refresh(cameraId: string): Promise<void>;
}

const RETRY_MS = 3000;
const MasksContext = createContext<MasksValue | null>(null);
const unknown: MasksEntry = { masks: null, current: false, error: null };

export function MasksProvider({ children }: { children: ReactNode }) {
  const { socket } = useSession();
  const [entries, setEntries] = useState<ReadonlyMap<string, MasksEntry>>(new Map());
  const wanted = useRef(new Set<string>());
  // Per camera, the number of the latest read: an older answer arriving after a newer one is dropped.
  const seq = useRef(new Map<string, number>());
  const retries = useRef(new Map<string, ReturnType<typeof setTimeout>>());

  const refresh = useCallback(async (cameraId: string) => {
    // What was read before may be outdated from this moment on.
    setEntries((m) => (m.get(cameraId)?.current ? new Map(m).set(cameraId, { ...m.get(cameraId)!, current: false }) : m));
    const n = (seq.current.get(cameraId) ?? 0) + 1;
    seq.current.set(cameraId, n);
    const pending = retries.current.get(cameraId);
    if (pending) { clearTimeout(pending); retries.current.delete(cameraId); }
    let next: MasksEntry | null = null;
    try {
      next = { masks: await api.cameraMasks(cameraId), current: true, error: null };
    } catch (e) {
      if (seq.current.get(cameraId) !== n) return;
      const error = toApiError(e);
      // Keep the masks read before for what shows them as a plan; the video stays hidden and we try again.
      setEntries((m) => new Map(m).set(cameraId, { masks: m.get(cameraId)?.masks ?? null, current: false, error }));
      if (error.status !== 403 && error.status !== 404) {
        retries.current.set(cameraId, setTimeout(() => { retries.current.delete(cameraId); void refresh(cameraId); }, RETRY_MS));
      }
      return;
    }
    if (seq.current.get(cameraId) !== n) return;
    setEntries((m) => new Map(m).set(cameraId, next));
  }, []);

  const want = useCallback((cameraId: string) => {
    if (wanted.current.has(cameraId)) return;
    wanted.current.add(cameraId);
    void refresh(cameraId);
  }, [refresh]);

  useEffect(() => {
    const onChanged = (change: { cameraId: string }) => {
      if (typeof change?.cameraId === 'string' && wanted.current.has(change.cameraId)) void refresh(change.cameraId);
    };
    let connectedOnce = socket.connected;
    const onConnect = () => { if (connectedOnce) for (const id of wanted.current) void refresh(id); connectedOnce = true; };
    socket.on('masks:changed', onChanged);
    socket.on('connect', onConnect);
    return () => { socket.off('masks:changed', onChanged); socket.off('connect', onConnect); };
  }, [socket, refresh]);
  useEffect(() => () => { for (const t of retries.current.values()) clearTimeout(t); }, []);

  const value = useMemo(() => ({ entries, want, refresh }), [entries, want, refresh]);
  return <MasksContext.Provider value={value}>{children}</MasksContext.Provider>;
}

function useMasksContext(): MasksValue {
  const v = useContext(MasksContext);
  if (!v) throw new Error('useCameraMasks outside MasksProvider');
  return v;
}

/** The masks of one camera (read on first use, then kept current); `masks` null while never read, `current` false while re-reading. */
export function useCameraMasks(cameraId: string | null): MasksEntry & { refresh(): Promise<void> } {
  const { entries, want, refresh } = useMasksContext();
  // A layout effect: the read starts with the tile, alongside its play grant, not after the first paint.
  useLayoutEffect(() => { if (cameraId) want(cameraId); }, [cameraId, want]);
  const entry = (cameraId && entries.get(cameraId)) || unknown;
  const again = useCallback(() => (cameraId ? refresh(cameraId) : Promise.resolve()), [cameraId, refresh]);
  return { ...entry, refresh: again };
}
