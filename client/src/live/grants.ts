// Play grants for the tiles that start together: a wall opening starts sixteen players in one React commit, and they
// get their grants from one POST /api/live/grants instead of sixteen requests (which the browser sends at most six at
// a time, each with its own session check on the server; measured in tests/bench/latency.ts). A tile starting alone
// (a reconnect, the focus view) is a batch of one. The server checks every camera exactly as it checks one.
import { MAX_GRANTS_PER_REQUEST, type PlayBatchItem } from '../../../server/live/schema';
import type { PlayGrant, StreamKind } from '../api/endpoints';
import { ApiError } from '../api/http';

export type StreamRef = { cameraId: string; stream: StreamKind };
type Send = (streams: StreamRef[]) => Promise<{ grants: PlayBatchItem[] }>;
interface Pending extends StreamRef { resolve(g: PlayGrant): void; reject(e: unknown): void }

/** A grant function that collects the calls made in the same task and sends them as one request (or a few, past the limit). */
export function createGrantBatcher(send: Send): (cameraId: string, stream: StreamKind) => Promise<PlayGrant> {
  let queue: Pending[] = [];
  const flush = () => {
    const all = queue;
    queue = [];
    for (let i = 0; i < all.length; i += MAX_GRANTS_PER_REQUEST) {
      const chunk = all.slice(i, i + MAX_GRANTS_PER_REQUEST);
      let sent: Promise<{ grants: PlayBatchItem[] }>;
      try { sent = send(chunk.map(({ cameraId, stream }) => ({ cameraId, stream }))); } catch (e) { sent = Promise.reject(e); }
      sent.then(
        ({ grants }) => chunk.forEach((p, j) => {
          const item = grants[j];
          // One answer per stream asked, in the same order.
          if (!item || item.cameraId !== p.cameraId) p.reject(new ApiError(0, 'bad_response', 'the grants do not match the request'));
          else if (item.ok) p.resolve(item.grant);
          else p.reject(new ApiError(item.error.status, item.error.code, item.error.message));
        }),
        (e) => chunk.forEach((p) => p.reject(e)),
      );
    }
  };
  return (cameraId, stream) => new Promise<PlayGrant>((resolve, reject) => {
    queue.push({ cameraId, stream, resolve, reject });
    // React runs the effects of one commit in one go: every tile of it is queued before this runs.
    if (queue.length === 1) queueMicrotask(flush);
  });
}

/** How long a grant asked for ahead of time is used (its token lives 60 s and is checked when the socket opens). */
export const PREFETCHED_GRANT_MS = 20_000;

/**
 * Grants that may be asked for before they are needed: a wall's tiles mount before the camera status is known, and
 * their grants can be on the way meanwhile. request() takes a fresh prefetched grant (once) or asks anew.
 */
export function createGrantSource(send: Send, now: () => number = () => Date.now()) {
  const batched = createGrantBatcher(send);
  const early = new Map<string, { at: number; grant: Promise<PlayGrant> }>();
  const key = (cameraId: string, stream: StreamKind) => `${cameraId}/${stream}`;
  return {
    prefetch(cameraId: string, stream: StreamKind): void {
      const t = now();
      for (const [k, e] of early) if (t - e.at > PREFETCHED_GRANT_MS) early.delete(k);
      if (early.has(key(cameraId, stream))) return;
      const grant = batched(cameraId, stream);
      grant.catch(() => { /* request() asks again */ });
      early.set(key(cameraId, stream), { at: t, grant });
    },
    request(cameraId: string, stream: StreamKind): Promise<PlayGrant> {
      const e = early.get(key(cameraId, stream));
      early.delete(key(cameraId, stream));
      if (!e || now() - e.at > PREFETCHED_GRANT_MS) return batched(cameraId, stream);
      // A prefetch that failed (network, refusal) is asked again, so the answer is as fresh as without prefetching.
      return e.grant.catch(() => batched(cameraId, stream));
    },
  };
}
