// Shared steps of the recording and evidence tests.
import type { EvidenceItem } from '../../server/evidence/schema.js';
import { waitFor } from './publisher.js';
import type { ApiClient, TestRoom } from './room.js';

/** The recorded segments of one camera, oldest first. */
export const segments = (r: Pick<TestRoom, 'sql'>, cameraId: string) =>
  r.sql`select * from recording_segments where camera_id = ${cameraId} order by started_at, seq`;

/** Waits until an evidence item is no longer pending (ready or failed) and returns it. */
export function waitReady(api: ApiClient, id: string, ms = 30_000): Promise<EvidenceItem> {
  return waitFor(`evidence ${id} done`, async () => {
    const r = await api.get(`/api/evidence/${id}`);
    return r.body.state !== 'pending' ? r.body : null;
  }, ms, 100);
}
