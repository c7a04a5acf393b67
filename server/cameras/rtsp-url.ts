// An RTSP camera's URL, taken apart: the address (scheme, host, port, path) is stored in cameras.rtsp_url; what may
// be a secret (the user and password before @, and the query string, where cameras put ?password=, ?pwd=, ?token=,
// ?auth= …) is stored apart in camera_rtsp_secrets and never leaves the server. Only the RTSP bridge joins them
// again. Kept in the form the admin typed (percent-encoding included), so the join gives back exactly that URL.

export interface RtspSource {
  /** scheme://host[:port]/path, no user info, no query, no fragment. */
  address: string;
  /** What stood between :// and @ (user[:password], percent-encoded as typed), '' when none. */
  userinfo: string;
  /** What stood after ?, '' when none. */
  query: string;
}

const URL_PARTS = /^([a-z][a-z0-9+.-]*:\/\/)(?:([^/?#]*)@)?([^?#]*)(?:\?([^#]*))?(?:#.*)?$/i;

export function splitRtspUrl(url: string): RtspSource {
  const m = URL_PARTS.exec(url);
  if (!m) throw new Error('not a URL');
  return { address: m[1]! + m[3]!, userinfo: m[2] ?? '', query: m[4] ?? '' };
}

/** The URL the bridge pulls: the address with its secrets put back. */
export function joinRtspUrl(s: RtspSource): string {
  const i = s.address.indexOf('://') + 3;
  return s.address.slice(0, i) + (s.userinfo ? `${s.userinfo}@` : '') + s.address.slice(i) + (s.query ? `?${s.query}` : '');
}

/**
 * What an admin sees: the address, whether there are credentials, and the names of the query parameters, every value
 * masked (e.g. rtsp://***:***@10.1.2.3:554/stream1?channel=***&token=***). Other roles see no URL at all.
 */
export function maskedRtspUrl(s: RtspSource): string {
  const i = s.address.indexOf('://') + 3;
  const user = s.userinfo ? (s.userinfo.includes(':') ? '***:***@' : '***@') : '';
  const query = s.query ? '?' + s.query.split('&').map((p) => (p.includes('=') ? `${p.slice(0, p.indexOf('='))}=***` : '***')).join('&') : '';
  return s.address.slice(0, i) + user + s.address.slice(i) + query;
}
