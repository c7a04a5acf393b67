// The camera registry: permanent and flexible cameras, their municipality, source and legal basis.
import type { Config } from '../config.js';
import type { Sql } from '../db/connect.js';
import type { EventBus } from '../events.js';
import type { Capability } from '../capability.js';
import { CameraService } from './service.js';
import { cameraRoutes } from './routes.js';

export function start(d: { sql: Sql; bus: EventBus; config: Config;
  /** Assigns a new RTMP camera to a node now and says where it pushes (server/cluster/); null: this node. */
  assignPush?: (cameraId: string) => Promise<{ host: string | null; port: number } | null>;
}): Capability {
  // The RTMP address an admin gives a camera's installer: that of the node the camera is assigned to.
  const host = d.config.MEDIA_HOST === '0.0.0.0' ? 'localhost' : d.config.MEDIA_HOST;
  const rtmpBase = async (cameraId: string) => {
    const at = await d.assignPush?.(cameraId);
    return `rtmp://${at?.host ?? host}:${at?.port ?? d.config.RTMP_PORT}`;
  };
  return { routes: cameraRoutes(new CameraService(d.sql, d.bus, rtmpBase), d.sql), stop: async () => {} };
}
