// The demo camera simulator, run like real cameras: RTMP ones push to the media server, RTSP ones are served for
// the bridges to pull, and flexible units are switched on only inside their booking windows.
import path from 'node:path';
import type { Config } from '../config.js';
import type { EventBus } from '../events.js';
import type { Logger } from '../log.js';
import type { Activation } from '../bookings/schema.js';
import type { FfmpegInfo } from '../../streams/ffmpeg/locate.js';
import { startDemoCameras, type DemoCameras } from '../../streams/demo-cameras.js';
import type { DemoCamera } from './seed.js';

export async function runDemoCameras(d: {
  cameras: DemoCamera[]; config: Config; log: Logger; bus: EventBus; ffmpeg: FfmpegInfo;
  rtmp: { host: string; port: number }; activations: () => Activation[];
}): Promise<{ sim: DemoCameras; stop(): Promise<void> }> {
  // Not awaited per camera: on a first start the loops take a while to encode; each camera goes live when its loop is ready.
  const sim = await startDemoCameras({
    cameras: d.cameras.map((c) => ({ cameraId: c.id, name: c.name, key: c.key, source: c.source, subStream: c.source === 'rtmp', flexible: c.kind === 'flexible' })),
    rtmp: d.rtmp, ffmpeg: d.ffmpeg, cacheDir: path.join(d.config.DATA_DIR, 'demo-loops'),
    rtsp: { host: '127.0.0.1', port: d.config.DEMO_RTSP_PORT }, mode: d.config.DEMO_VIDEO, log: d.log.child({ part: 'demo-cameras' }),
  });
  // The demo's flexible units are switched on for their windows (set-up and tear-down included) and off after,
  // like real ones: outside a window they would only be refused, every few seconds, all night.
  const switchUnit = (cameraId: string, a: Activation | null) => sim.setActive(cameraId, a !== null);
  for (const a of d.activations()) sim.setActive(a.cameraId, true);
  d.bus.on('camera.activation', switchUnit);
  return { sim, stop: async () => { d.bus.off('camera.activation', switchUnit); await sim.stop(); } };
}
