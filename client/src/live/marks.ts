// Performance marks along a tile's way to its first frame, so the time can be read where it goes: in DevTools'
// Performance panel, and by tests/bench/latency.ts (its page probe observes every 'live:*' mark).
// Each mark is named `live:<phase>` and carries the camera id in its detail.
export type LiveMarkPhase =
  | 'grant-requested'   // LiveStream asks for a play grant (the start of an attempt)
  | 'grant-received'
  | 'socket-queued'     // the player's loader wants a socket (waits for a connecting slot)
  | 'socket-created'    // new WebSocket()
  | 'socket-open'       // the media server accepted the play token (101)
  | 'first-data'        // first FLV bytes (the media server's GOP cache)
  | 'first-frame'       // the first frame presented (requestVideoFrameCallback)
  | 'masks-known';      // the camera's privacy masks arrived: from now (and not before) the frame may be shown

// A console runs for a whole shift: drop the marks now and then so the timeline stays small (observers got them).
const MAX_MARKS = 2000;
let count = 0;

export function markLive(phase: LiveMarkPhase, cameraId: string): void {
  if (typeof performance === 'undefined' || typeof performance.mark !== 'function') return;
  try {
    if (++count > MAX_MARKS) {
      count = 1;
      for (const p of ['grant-requested', 'grant-received', 'socket-queued', 'socket-created', 'socket-open', 'first-data', 'first-frame', 'masks-known']) performance.clearMarks(`live:${p}`);
    }
    performance.mark(`live:${phase}`, { detail: { cameraId } });
  } catch { /* marks are instrumentation only */ }
}

/** The camera id in a WebSocket-FLV play URL (`/live/<camera>[__sub].flv?token=…`), for the loader's marks. */
export function cameraOfPlayUrl(url: string): string | null {
  const m = /\/live\/([^/?]+)\.flv/.exec(url);
  return m ? decodeURIComponent(m[1]!).replace(/__sub$/, '') : null;
}
