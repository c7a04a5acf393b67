// The one side effect of the mask editor: a fresh frame of a camera's main stream, read by ffmpeg like a player
// would (streams/snapshot.ts), into a temporary file that is gone once read. Nothing is kept.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { grabFrame } from '../../streams/snapshot.js';

export function createFrameGrabber(d: {
  ffmpegPath(): string | null;
  isLive(cameraId: string): boolean;
  /** A play URL of the camera's main stream the room itself may read. */
  playUrl(cameraId: string): string;
  timeoutMs?: number;
}) {
  return async (cameraId: string): Promise<Buffer | null> => {
    if (!d.isLive(cameraId)) return null;
    const ffmpeg = d.ffmpegPath();
    if (!ffmpeg) throw new Error('ffmpeg not available');
    const dir = await mkdtemp(path.join(tmpdir(), 'uitkijk-mask-frame-'));
    try {
      const out = path.join(dir, 'frame.jpg');
      await grabFrame({ ffmpegPath: ffmpeg, inputUrl: d.playUrl(cameraId), outFile: out, timeoutMs: d.timeoutMs ?? 10_000 })
        .catch((e: Error) => { throw new Error(e.message.replace(/token=[^&\s]*/g, 'token=[redacted]')); });
      const jpeg = await readFile(out);
      if (jpeg.length === 0) throw new Error('ffmpeg wrote an empty frame');
      return jpeg;
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  };
}
