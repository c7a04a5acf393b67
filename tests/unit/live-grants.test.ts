// The console's grant batcher (client/src/live/grants.ts): tiles that start together share one request.
import { describe, expect, it } from 'vitest';
import { createGrantBatcher, createGrantSource, PREFETCHED_GRANT_MS, type StreamRef } from '../../client/src/live/grants.js';
import { ApiError } from '../../client/src/api/http.js';
import type { PlayBatchItem } from '../../server/live/schema.js';

const grantOf = ({ cameraId, stream }: StreamRef) => ({ cameraId, stream, host: null, port: 8000, path: `/live/${cameraId}.flv?token=t`, expiresAt: '2026-11-27T12:00:00.000Z' });

function fakeServer(answer: (s: StreamRef) => PlayBatchItem = (s) => ({ cameraId: s.cameraId, ok: true, grant: grantOf(s) })) {
  const calls: StreamRef[][] = [];
  const send = async (streams: StreamRef[]) => { calls.push(streams); return { grants: streams.map(answer) }; };
  return { calls, request: createGrantBatcher(send) };
}

describe('grant batcher', () => {
  it('sends the grants asked for in the same task as one request, and each caller gets its own', async () => {
    const { calls, request } = fakeServer();
    const ids = Array.from({ length: 16 }, (_, i) => `cam-${i}`);
    const grants = await Promise.all(ids.map((id) => request(id, 'sub')));
    expect(calls).toHaveLength(1);
    expect(calls[0]).toEqual(ids.map((cameraId) => ({ cameraId, stream: 'sub' })));
    expect(grants.map((g) => g.cameraId)).toEqual(ids);
    // A later tile alone is a request of its own.
    await request('cam-x', 'main');
    expect(calls).toHaveLength(2);
    expect(calls[1]).toEqual([{ cameraId: 'cam-x', stream: 'main' }]);
  });

  it('splits more than 16 into several requests', async () => {
    const { calls, request } = fakeServer();
    await Promise.all(Array.from({ length: 20 }, (_, i) => request(`cam-${i}`, 'sub')));
    expect(calls.map((c) => c.length)).toEqual([16, 4]);
  });

  it('a refused camera rejects only its own caller, with the status and code of the refusal', async () => {
    const { request } = fakeServer((s) => (s.cameraId === 'closed'
      ? { cameraId: s.cameraId, ok: false, error: { status: 403, code: 'not_in_open_alert', message: 'no' } }
      : { cameraId: s.cameraId, ok: true, grant: grantOf(s) }));
    const [a, b] = await Promise.allSettled([request('open', 'sub'), request('closed', 'sub')]);
    expect(a.status).toBe('fulfilled');
    expect(b.status).toBe('rejected');
    const e = (b as PromiseRejectedResult).reason;
    expect(e).toBeInstanceOf(ApiError);
    expect([e.status, e.code]).toEqual([403, 'not_in_open_alert']);
  });

  it('a failed request rejects every caller of it; an answer that does not match is refused', async () => {
    const down = createGrantBatcher(async () => { throw new ApiError(401, 'unauthenticated', 'log in'); });
    const r = await Promise.allSettled([down('a', 'sub'), down('b', 'sub')]);
    expect(r.map((x) => x.status === 'rejected' && (x.reason as ApiError).status)).toEqual([401, 401]);
    const throwing = createGrantBatcher(() => { throw new Error('boom'); });
    await expect(throwing('a', 'sub')).rejects.toThrow('boom');
    const shuffled = createGrantBatcher(async (s) => ({ grants: [...s].reverse().map((x) => ({ cameraId: x.cameraId, ok: true as const, grant: grantOf(x) })) }));
    const m = await Promise.allSettled([shuffled('a', 'sub'), shuffled('b', 'sub')]);
    expect(m.map((x) => x.status === 'rejected' && (x.reason as ApiError).code)).toEqual(['bad_response', 'bad_response']);
  });
});

describe('grants asked for ahead of time', () => {
  it('a tile waiting for the camera status asks ahead; its first play takes that grant once, later ones ask anew', async () => {
    const calls: StreamRef[][] = [];
    let t = 0;
    let refuse = false;
    const source = createGrantSource(async (streams) => {
      calls.push(streams);
      return { grants: streams.map((x) => (refuse ? { cameraId: x.cameraId, ok: false as const, error: { status: 403, code: 'not_in_open_alert', message: 'no' } } : { cameraId: x.cameraId, ok: true as const, grant: grantOf(x) })) };
    }, () => t);
    for (let i = 0; i < 16; i++) source.prefetch(`cam-${i}`, 'sub');
    source.prefetch('cam-0', 'sub'); // asked twice before it is used: one request
    await Promise.resolve();
    expect(calls).toHaveLength(1);
    expect(calls[0]).toHaveLength(16);
    expect((await source.request('cam-0', 'sub')).cameraId).toBe('cam-0');
    expect(calls).toHaveLength(1); // taken from the prefetch
    await source.request('cam-0', 'sub');
    expect(calls).toHaveLength(2); // used once only
    // Too old: asked anew.
    t += PREFETCHED_GRANT_MS + 1;
    await source.request('cam-1', 'sub');
    expect(calls).toHaveLength(3);
    // A refused prefetch is asked again when the tile plays (the answer is as fresh as without prefetching).
    refuse = true;
    source.prefetch('cam-9', 'main');
    await new Promise((r) => setTimeout(r, 0));
    refuse = false;
    expect((await source.request('cam-9', 'main')).cameraId).toBe('cam-9');
    expect(calls).toHaveLength(5);
  });
});
