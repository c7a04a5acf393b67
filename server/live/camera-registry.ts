// The publish registry: every camera's publish credentials in memory, so the media server's publish check is
// answered without a database round trip. A storm of 200 cameras reconnecting at once (a restart, a network blip,
// a takeover) otherwise queued 200 queries behind the audit writes of the cameras already accepted, and the
// checks timed out (issue #18). Kept fresh by PostgreSQL notifications (cameras/store.ts listenCameraChanges), so
// a change made on another node or by hand counts too; a camera the registry does not know yet (created a moment
// ago) is read from the database once.
import type { Sql } from '../db/connect.js';
import type { Logger } from '../log.js';
import { allPublishCredentials, getPublishCredentials, listenCameraChanges, type PublishCredentials } from '../cameras/store.js';

export class CameraRegistry {
  private cameras = new Map<string, PublishCredentials>();
  private listening: { stop(): Promise<void> } | null = null;
  private loads = new Set<Promise<unknown>>();

  constructor(private sql: Sql, private log: Logger) {}

  async start(): Promise<void> {
    await this.reloadAll();
    // onListen fires once now (nothing missed) and after every reconnect of the listening connection (reload).
    let first = true;
    this.listening = await listenCameraChanges(this.sql, (id) => this.track(this.refresh(id)), () => {
      if (first) { first = false; return; }
      this.track(this.reloadAll());
    });
  }

  /** The camera's credentials; null: no such camera. */
  async get(cameraId: string): Promise<PublishCredentials | null> {
    const known = this.cameras.get(cameraId);
    if (known) return known;
    const row = await getPublishCredentials(this.sql, cameraId);
    if (row) this.cameras.set(cameraId, row);
    return row;
  }

  /** What is known of the camera in memory now (undefined: not read yet), for answers that cannot wait. */
  known(cameraId: string): PublishCredentials | undefined { return this.cameras.get(cameraId); }

  /**
   * A change this process made: what is known is dropped at once (a publish check before the re-read asks the
   * database) and read again, so the registry holds the camera afterwards whichever of this and its notification
   * comes first.
   */
  changed(cameraId: string): void {
    this.cameras.delete(cameraId);
    this.track(this.refresh(cameraId));
  }

  private async refresh(cameraId: string): Promise<void> {
    const row = await getPublishCredentials(this.sql, cameraId);
    if (row) this.cameras.set(cameraId, row);
    else this.cameras.delete(cameraId);
  }

  private async reloadAll(): Promise<void> {
    this.cameras = await allPublishCredentials(this.sql);
  }

  private track(p: Promise<unknown>): void {
    const t = p.catch((err) => this.log.warn({ err }, 'camera registry not refreshed')).finally(() => this.loads.delete(t));
    this.loads.add(t);
  }

  async stop(): Promise<void> {
    await this.listening?.stop();
    await Promise.all([...this.loads]);
  }
}
