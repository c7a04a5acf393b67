// Runs a LiveStream in a <video> while `active`: started when the tile becomes visible and its camera is online,
// stopped (player destroyed, socket closed) as soon as either ends.
import { useEffect, useRef, useState, type RefObject } from 'react';
import { api, type StreamKind } from '../api/endpoints';
import { LiveStream, type LiveStreamState } from './liveStream';

interface Params {
  cameraId: string | null;
  wanted: StreamKind;
  active: boolean;
  /** The camera has a sub stream and it is live: a tile that fell back to the main stream then switches to it. */
  subStreamLive: boolean;
}

export function useLiveStream(video: RefObject<HTMLVideoElement | null>, { cameraId, wanted, active, subStreamLive }: Params): LiveStreamState | null {
  const [state, setState] = useState<LiveStreamState | null>(null);
  const stream = useRef<LiveStream | null>(null);

  useEffect(() => {
    const el = video.current;
    if (!active || !cameraId || !el) { setState(null); return; }
    const s = new LiveStream(el, { cameraId, wanted, requestGrant: api.playGrant, onChange: setState });
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
