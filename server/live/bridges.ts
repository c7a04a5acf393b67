// Keeps one supervised RTSP bridge per enabled RTSP camera, in step with the registry, and shows each bridge's state.
import type { Sql } from '../db/connect.js';
import { rtspPullUrls } from '../cameras/store.js';
import type { EventBus } from '../events.js';
import type { Logger } from '../log.js';
import { createRtspBridgeSet } from '../../streams/rtsp-bridge.js';
import type { SpawnFn } from '../../streams/supervised-process.js';
import type { StatusBoard } from './status-board.js';

export async function runRtspBridges(d: {
  sql: Sql; bus: EventBus; log: Logger; board: StatusBoard; bridgeKey: string;
  /** Does this node hold the camera (server/cluster/ ownership)? Only the holder pulls it. */
  holds: (cameraId: string) => boolean;
  rtmp: { host: string; port: number }; ffmpeg: { path: string; major: number }; spawn?: SpawnFn;
}) {
  const set = createRtspBridgeSet({ rtmp: d.rtmp, ffmpeg: d.ffmpeg, log: d.log.child({ part: 'rtsp-bridge' }), spawn: d.spawn });
  let syncing = Promise.resolve();
  const sync = () => (syncing = syncing.then(async () => {
    const rows = (await rtspPullUrls(d.sql)).filter((r) => d.holds(r.id)); // secrets joined back in: the bridge is the one place that needs them
    await set.sync(rows.map((r) => ({ cameraId: r.id, sourceUrl: r.url, key: d.bridgeKey })));
    const running = new Set(rows.map((r) => r.id));
    for (const s of d.board.own()) if (s.bridge && !running.has(s.cameraId)) d.board.bridge(s.cameraId, 'stopped');
  }).catch((err) => d.log.error({ err }, 'RTSP bridge sync failed')));

  await sync();
  const onChange = () => void sync();
  d.bus.on('camera.changed', onChange);
  d.bus.on('cluster.cameras', onChange);
  // Bridge states change inside the supervisors; a one-second look is quick enough for the console.
  const timer = setInterval(() => { for (const s of set.statuses()) d.board.bridge(s.cameraId, s.state); }, 1000);
  timer.unref();
  return {
    statuses: () => set.statuses(),
    async stop() { clearInterval(timer); d.bus.off('camera.changed', onChange); d.bus.off('cluster.cameras', onChange); await syncing; await set.stop(); },
  };
}
