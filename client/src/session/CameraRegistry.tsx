// The camera registry as the console sees it: loaded once, then kept live by 'camera:changed' over socket.io.
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { cameraSchema, type Camera } from '../../../server/cameras/schema';
import { api } from '../api/endpoints';
import { ApiError, toApiError } from '../api/http';
import { compareText } from '../format';
import { useCan, useSession } from './SessionContext';

export interface CameraRegistryValue {
  cameras: Camera[] | null;   // null while loading the first time
  error: ApiError | null;
  reload(): Promise<void>;
  /** Puts a camera the console just changed into the list without waiting for the socket. */
  upsert(camera: Camera): void;
}

const CameraRegistryContext = createContext<CameraRegistryValue | null>(null);

export function useCameraRegistry(): CameraRegistryValue {
  const v = useContext(CameraRegistryContext);
  if (!v) throw new Error('useCameraRegistry outside CameraRegistryProvider');
  return v;
}

export function CameraRegistryProvider({ children }: { children: ReactNode }) {
  const { socket, me } = useSession();
  const { i18n } = useTranslation();
  const [raw, setCameras] = useState<Camera[] | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const lng = i18n.language;

  // Sorted by municipality, then name, in the reader's language.
  const cameras = useMemo(() => raw && [...raw].sort((a, b) =>
    compareText(a.municipalityName, b.municipalityName, lng) || compareText(a.name, b.name, lng)), [raw, lng]);

  const reload = useCallback(async () => {
    try {
      setCameras(await api.cameras());
      setError(null);
    } catch (e) {
      setError(toApiError(e));
    }
  }, []);

  const upsert = useCallback((camera: Camera) => {
    setCameras((list) => {
      if (!list) return list;
      // A municipality user keeps only its own cameras (the server scopes too; this covers a camera moved away).
      const rest = list.filter((c) => c.id !== camera.id);
      if (me.role === 'municipality' && camera.municipalityId !== me.municipalityId) return rest;
      return [...rest, camera];
    });
  }, [me.role, me.municipalityId]);

  useEffect(() => { void reload(); }, [reload]);

  const connectedOnce = useRef(false);
  // The push carries no RTSP address (it goes to every console); whoever manages cameras reads the changed one again
  // to see its masked address.
  const seesRtspAddress = useCan()('cameras.manage');
  useEffect(() => {
    const onChanged = (payload: Camera) => {
      const p = cameraSchema.safeParse(payload);
      if (!p.success) { console.error('camera:changed does not match the contract', p.error.issues); return; }
      upsert(p.data);
      if (seesRtspAddress && p.data.source.type === 'rtsp') void api.camera(p.data.id).then(upsert, () => {});
    };
    // After a reconnect, changes may have been missed: load the list again.
    const onConnect = () => { if (connectedOnce.current) void reload(); connectedOnce.current = true; };
    socket.on('camera:changed', onChanged);
    socket.on('connect', onConnect);
    return () => { socket.off('camera:changed', onChanged); socket.off('connect', onConnect); };
  }, [socket, upsert, reload, seesRtspAddress]);

  const value = useMemo(() => ({ cameras, error, reload, upsert }), [cameras, error, reload, upsert]);
  return <CameraRegistryContext.Provider value={value}>{children}</CameraRegistryContext.Provider>;
}
