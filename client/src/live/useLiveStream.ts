// Runs a LiveStream in a <video> while `active`: started when the tile becomes visible and its camera is online,
// stopped (player destroyed, socket closed) as soon as either ends.
import { useEffect, useLayoutEffect, useRef, useState, type RefObject } from 'react';
import { api, type StreamKind } from '../api/endpoints';
import { createGrantSource } from './grants';
import { LiveStream, preloadFlvPlayer, type LiveStreamState } from './liveStream';

/** Tiles starting together share one grant request; a tile waiting for the camera status asks ahead (see grants.ts). */
const grants = createGrantSource(api.playGrants);
const requestGrant = (cameraId: string, stream: StreamKind) => grants.request(cameraId, stream);

interface Params {
  cameraId: string | null;
  wanted: StreamKind;
  active: boolean;
  /** Not playing yet but about to (the camera status is still loading): ask for the grant already. */
  prefetch?: boolean;
  /** The camera has a sub stream and it is live: a tile that fell back to the main stream then switches to it. */
  subStreamLive: boolean;
}

export function useLiveStream(video: RefObject<HTMLVideoElement | null>, { cameraId, wanted, active, prefetch = false, subStreamLive }: Params): LiveStreamState | null {
  const [state, setState] = useState<LiveStreamState | null>(null);
  const stream = useRef<LiveStream | null>(null);

  // A tile on screen will play as soon as its camera's status is known: have the player module ready by then.
  useEffect(() => { if (cameraId) preloadFlvPlayer(); }, [cameraId]);
  // Layout effects: a render that no key or click caused (the wall arriving, the status loading) runs its plain
  // effects only after the browser has painted it, ~30 ms later on a 16-tile wall here; the grant and the socket
  // need not wait for that paint (measured in tests/bench/latency.ts).
  useLayoutEffect(() => { if (cameraId && prefetch && !active) grants.prefetch(cameraId, wanted); }, [cameraId, wanted, prefetch, active]);

  useLayoutEffect(() => {
    const el = video.current;
    if (!active || !cameraId || !el) { setState(null); return; }
    const s = new LiveStream(el, { cameraId, wanted, requestGrant, onChange: setState });
    stream.current = s;
    s.start();
    return () => { s.stop(); if (stream.current === s) stream.current = null; setState(null); };
  }, [video, cameraId, wanted, active]);

  // Walls play the lighter sub stream: move to it once it comes online (the grant fell back to main before).
  const granted = state?.granted ?? null;
  const phase = state?.phase ?? null;
  const lastUpgrade = useRef(0);
  useEffect(() => {
    if (wanted !== 'sub' || !subStreamLive || granted !== 'main' || phase !== 'playing') return;
    // At most once per 30 s: should the server keep granting main, the tile keeps playing rather than flapping.
    if (Date.now() - lastUpgrade.current < 30_000) return;
    lastUpgrade.current = Date.now();
    stream.current?.restart();
  }, [wanted, subStreamLive, granted, phase]);

  return state;
}
