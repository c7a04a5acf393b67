// Cameras for tests that need video: register one through the API and push a real ffmpeg test pattern to it.
import { expect } from 'vitest';
import { publishUrl } from '../../streams/stream-path.js';
import { publishTestPattern, type Publisher } from './publisher.js';
import type { ApiClient, TestRoom } from './room.js';

/** Registers an RTMP camera in Enschede (overrides merge in) and returns its one-time publish key. */
export async function createRtmpCamera(api: ApiClient, id: string, overrides: Record<string, unknown> = {}): Promise<string> {
  const res = await api.post('/api/cameras', {
    id, name: `Camera ${id}`, municipalityId: 'enschede', location: { street: 'Oude Markt', lat: 52.22, lon: 6.89 },
    kind: 'permanent', source: { type: 'rtmp' }, ...overrides,
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.publishKey;
}

/** Where a test camera publishes in this room (the server's own naming: streams/stream-path.ts). */
export const rtmpUrl = (room: Pick<TestRoom, 'media'>, cameraId: string, key: string, stream: 'main' | 'sub' = 'main') =>
  publishUrl({ host: '127.0.0.1', port: room.media.rtmpPort }, { cameraId, stream }, key);

/** Starts a publisher and remembers it in `into`, so the file's afterAll stops it. */
export function publishTo(into: Publisher[], room: Pick<TestRoom, 'media'>, cameraId: string, key: string, stream: 'main' | 'sub' = 'main'): Publisher {
  const p = publishTestPattern(rtmpUrl(room, cameraId, key, stream));
  into.push(p);
  return p;
}
