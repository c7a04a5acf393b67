// Naming of camera streams inside the media server. Pure functions, shared by the media-server adapter,
// the RTSP bridges, the demo simulator and (through the play URL) the server that mints play tokens.
// One camera = app `live`, main stream `<cameraId>`, optional sub stream `<cameraId>__sub`.

export type StreamKind = 'main' | 'sub';

export const LIVE_APP = 'live';
const SUB_SUFFIX = '__sub';
// Camera ids are slugs. `__` cannot occur in a slug of this form, so the sub suffix is unambiguous.
const CAMERA_ID = /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/;

export interface StreamRef {
  cameraId: string;
  stream: StreamKind;
}

export function isCameraId(value: string): boolean {
  return CAMERA_ID.test(value) && !value.includes('--');
}

/** The stream name (last path segment, without `.flv`) of a camera stream. */
export function streamName(ref: StreamRef): string {
  if (!isCameraId(ref.cameraId)) throw new Error(`invalid camera id: ${JSON.stringify(ref.cameraId)}`);
  return ref.stream === 'sub' ? ref.cameraId + SUB_SUFFIX : ref.cameraId;
}

/** Parses app + stream name as received by the media server; null when it names no camera stream. */
export function parseStreamName(app: string, name: string): StreamRef | null {
  if (app !== LIVE_APP) return null;
  const isSub = name.endsWith(SUB_SUFFIX);
  const cameraId = isSub ? name.slice(0, -SUB_SUFFIX.length) : name;
  if (!isCameraId(cameraId)) return null;
  return { cameraId, stream: isSub ? 'sub' : 'main' };
}

/** Stable map key for a stream, e.g. `lasonder-1/sub`. */
export function streamKey(ref: StreamRef): string {
  return `${ref.cameraId}/${ref.stream}`;
}

/** rtmp://host:port/live/<name>?key=... — where a camera (or a bridge) publishes. */
export function publishUrl(rtmp: { host: string; port: number }, ref: StreamRef, key: string): string {
  return `rtmp://${hostForUrl(rtmp.host)}:${rtmp.port}/${LIVE_APP}/${streamName(ref)}?key=${encodeURIComponent(key)}`;
}

/** Path + query a player opens on the FLV port, over HTTP (`http://`) or WebSocket (`ws://`). */
export function playPath(ref: StreamRef, token: string): string {
  return `/${LIVE_APP}/${streamName(ref)}.flv?token=${encodeURIComponent(token)}`;
}

export function playUrl(
  scheme: 'http' | 'ws' | 'https' | 'wss',
  http: { host: string; port: number },
  ref: StreamRef,
  token: string,
): string {
  return `${scheme}://${hostForUrl(http.host)}:${http.port}${playPath(ref, token)}`;
}

/**
 * Hides what may be a secret in every URL of a text before it reaches a log line: the user info before @ (user and
 * password), and the value of every query parameter (publish keys, play tokens, and a camera's ?password=, ?pwd=,
 * ?token=, ?auth= … whatever its vendor calls them). Works on whole log lines (ffmpeg names its input in errors).
 */
export function redactUrl(text: string): string {
  return text
    .replace(/\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#@]*@/gi, '$1[redacted]@')
    .replace(/(:\/\/[^\s?#]*\?[^\s#]*)/g, (url) => url.replace(/([?&][^=&\s#]*=)[^&\s#]*/g, '$1[redacted]'));
}

function hostForUrl(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}
