// Everything that touches mpegts.js, in one module the console loads only when a tile first plays
// (roles without live video never download it).
import mpegts from 'mpegts.js';
import { WsFlvLoader } from './wsFlvLoader';

// mpegts.js logs every segment at info level: keep the console for warnings and errors.
mpegts.LoggingControl.applyConfig({ enableAll: false, enableDebug: false, enableVerbose: false, enableInfo: false, enableWarn: true, enableError: true });

/** Low-latency settings, measured on this kind of machine (see DESIGN.md): ~280 ms instead of ~675 ms with defaults. */
export const playerConfig: mpegts.Config = {
  enableWorker: false,              // sixteen workers cost more than they save on two cores; transmuxing FLV is cheap
  enableStashBuffer: false,         // hand every chunk on at once
  stashInitialSize: 128,
  liveBufferLatencyChasing: true,   // jump to the live edge when the buffer grows past the maximum
  liveBufferLatencyMaxLatency: 0.8,
  liveBufferLatencyMinRemain: 0.1,
  // Below the chasing threshold a start-up backlog (the media server sends the last GOP at once) would stay for
  // good at 1x: play slightly faster until the buffer is back near the live edge. No seek, so no visible jump.
  liveSync: true,
  liveSyncMaxLatency: 0.35,
  liveSyncTargetLatency: 0.2,
  liveSyncPlaybackRate: 1.2,
  lazyLoad: false,                  // a live stream is never "loaded enough"
  // Open the socket at once instead of after the MediaSource's 'sourceopen' event (tens of ms on a busy page while a
  // wall opens); segments that arrive before it are queued by mpegts.js until the SourceBuffer exists.
  deferLoadAfterSourceOpen: false,
  autoCleanupSourceBuffer: true,    // long watches must not fill the SourceBuffer
  autoCleanupMaxBackwardDuration: 30,
  autoCleanupMinBackwardDuration: 10,
  customLoader: WsFlvLoader,        // lets go of a socket closed while still connecting (see wsFlvLoader.ts)
};

export interface FlvPlayer {
  player: mpegts.Player;
  /** Fired once when the stream fails or ends (for a live stream both mean: reconnect). */
  onEnd(fn: (reason: string) => void): void;
}

/** A video-only live FLV player over WebSocket (node-media-server's FLV header claims audio: hasAudio false). */
export function createFlvPlayer(url: string): FlvPlayer {
  const player = mpegts.createPlayer({ type: 'flv', isLive: true, url, hasAudio: false, hasVideo: true }, playerConfig);
  return {
    player,
    onEnd(fn) {
      player.on(mpegts.Events.ERROR, (type: string, detail: string) => fn(`${type}:${detail}`));
      // The end of loading means the media server closed the socket (publisher gone, server stopping).
      player.on(mpegts.Events.LOADING_COMPLETE, () => fn('stream_ended'));
    },
  };
}
