// Shared steps of the recording and evidence tests.
import type { EvidenceItem } from '../../server/evidence/schema.js';
import { waitFor } from './publisher.js';
import type { ApiClient, TestRoom } from './room.js';

/** The recorded segments of one camera, oldest first. */
export const segments = (r: Pick<TestRoom, 'sql'>, cameraId: string) =>
  r.sql`select * from recording_segments where camera_id = ${cameraId} order by started_at, seq`;

/**
 * Waits until an evidence item is no longer pending (ready or failed) and returns it. Polls the list, not the
 * item: every read of an item's detail is a consultation recorded in its custody trail.
 */
export function waitReady(api: ApiClient, id: string, ms = 30_000): Promise<EvidenceItem> {
  return waitFor(`evidence ${id} done`, async () => {
    const r = await api.get('/api/evidence?limit=200');
    if (r.status !== 200) throw new Error(`evidence list: ${r.status} ${JSON.stringify(r.body)}`);
    const item = (r.body as EvidenceItem[]).find((i) => i.id === id);
    return item && item.state !== 'pending' ? item : null;
  }, ms, 100);
}
