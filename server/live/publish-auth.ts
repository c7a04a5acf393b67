// Who may publish a camera stream: a registered, enabled camera with its own key (constant-time compare
// against the stored SHA-256), answered from the in-memory registry (camera-registry.ts). RTSP cameras are pushed
// only by our own bridge, with a key that lives in memory.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { CameraRegistry } from './camera-registry.js';
import type { CameraPlaces } from '../cluster/index.js';

// assigned-elsewhere: another live node holds the camera (server/cluster/): its push belongs there.
export type PublishRefusal = 'unknown-camera' | 'wrong-key' | 'disabled' | 'outside-window' | 'no-sub-stream' | 'assigned-elsewhere';

const sha256 = (s: string) => createHash('sha256').update(s).digest();

export class PublishAuthority {
  /** The key our RTSP bridges push with; never stored, never shown. */
  readonly bridgeKey = randomBytes(24).toString('base64url');

  /** mayPublishFlexible: is a flexible unit inside an approved booking window now (Gemeentewet 151c)? */
  constructor(private registry: Pick<CameraRegistry, 'get'>, private mayPublishFlexible: (cameraId: string) => Promise<boolean> = async () => false,
    private place: Pick<CameraPlaces, 'publishPlace'> = { publishPlace: async () => ({ ok: true }) }) {}

  async authorize(cameraId: string, key: string, stream: 'main' | 'sub' = 'main'): Promise<{ ok: true } | { ok: false; reason: PublishRefusal }> {
    const cam = await this.registry.get(cameraId);
    if (!cam) return { ok: false, reason: 'unknown-camera' };
    const expected = cam.source_type === 'rtsp' ? sha256(this.bridgeKey) : Buffer.from(cam.key_hash ?? '', 'hex');
    const given = sha256(key);
    // Compare before looking at 'enabled', so timing reveals nothing about the key of a disabled camera either.
    const keyOk = expected.length === given.length && timingSafeEqual(expected, given);
    if (!keyOk) return { ok: false, reason: 'wrong-key' };
    if (!cam.enabled) return { ok: false, reason: 'disabled' };
    // A camera registered without a sub stream has none: whatever pushes one is not what the room planned (walls would play it).
    if (stream === 'sub' && !cam.has_sub_stream) return { ok: false, reason: 'no-sub-stream' };
    if (cam.kind === 'flexible' && !(await this.mayPublishFlexible(cameraId))) return { ok: false, reason: 'outside-window' };
    // Last: only a camera entitled to publish at all may move its assignment to this node.
    const place = await this.place.publishPlace(cameraId, cam.owner);
    if (!place.ok) return { ok: false, reason: 'assigned-elsewhere' };
    return { ok: true };
  }
}
