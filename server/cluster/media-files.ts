// The files of the nodes' MEDIA_DIRs (recorded segments, evidence clips), wherever they lie. A file recorded or
// produced on this node, or any file when MEDIA_DIR is shared, is read in place. A file on another node's disk is
// fetched from that node (GET /internal/media, signed with the room's shared key, valid a minute) into a cache
// under DATA_DIR, so playback and clip production work the same across a takeover (a clip joining segments of two
// nodes). The cache keeps a file an hour after its last use.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createWriteStream, existsSync } from 'node:fs';
import { mkdir, readdir, rename, rm, stat, utimes } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { z } from 'zod';
import { DomainError } from '../errors.js';
import { fileReply, route, type RouteDef } from '../http/route.js';

export interface MediaFiles {
  /** A file of `nodeId`'s MEDIA_DIR (null: written before nodes existed, i.e. here) as a path on this machine. */
  local(rel: string, nodeId: string | null): Promise<string>;
  /** Serves this node's files to the other nodes. */
  route: RouteDef;
  stop(): Promise<void>;
}

const HEADER = 'x-uitkijk-media';
const VALID_MS = 60_000;
const CACHE_HOURS = 1;
// Only what the room wrote itself: segments and clips, relative, never climbing out.
const relSchema = z.string().max(500).regex(/^(recordings|evidence)\/[A-Za-z0-9._\/-]+$/, 'a recording or evidence file').refine((p) => !p.split('/').includes('..'), 'no ..');

const sign = (key: Buffer, rel: string, exp: number) => createHmac('sha256', key).update(`${rel}\n${exp}`).digest('hex');

function inside(dir: string, rel: string): string {
  const p = path.resolve(dir, rel);
  if (!p.startsWith(path.resolve(dir) + path.sep)) throw new Error('media path outside its directory');
  return p;
}

export function mediaFiles(d: {
  nodeId: string; mediaDir: string; shared: boolean; cacheDir: string; key: Buffer;
  /** The API address of a live node (null: not live). */
  apiOf(nodeId: string): Promise<string | null>;
  now?: () => number;
}): MediaFiles {
  const now = d.now ?? Date.now;
  const fetching = new Map<string, Promise<string>>();

  async function fetchFrom(nodeId: string, rel: string, to: string): Promise<string> {
    const api = await d.apiOf(nodeId);
    if (!api) throw new DomainError('unavailable', 'node_down', `this recording lies on node ${nodeId}, which is not running`);
    const exp = now() + VALID_MS;
    const res = await fetch(`${api}/internal/media?path=${encodeURIComponent(rel)}`, { headers: { [HEADER]: `${d.nodeId}.${exp}.${sign(d.key, rel, exp)}` } });
    if (!res.ok || !res.body) throw new DomainError('unavailable', 'node_media_unavailable', `node ${nodeId} did not hand over ${rel} (${res.status})`);
    await mkdir(path.dirname(to), { recursive: true });
    const partial = `${to}.partial`;
    await pipeline(Readable.fromWeb(res.body as import('node:stream/web').ReadableStream), createWriteStream(partial));
    await rename(partial, to);
    return to;
  }

  async function sweepCache(): Promise<void> {
    const cutoff = now() - CACHE_HOURS * 3_600_000;
    const walk = async (dir: string): Promise<void> => {
      for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) await walk(p);
        else if (((await stat(p).catch(() => null))?.mtimeMs ?? 0) < cutoff) await rm(p, { force: true });
      }
    };
    await walk(d.cacheDir);
  }
  const timer = setInterval(() => void sweepCache().catch(() => {}), 10 * 60_000);
  timer.unref();

  return {
    async local(rel, nodeId) {
      if (d.shared || !nodeId || nodeId === d.nodeId) return inside(d.mediaDir, rel);
      const cached = inside(path.join(d.cacheDir, nodeId), rel);
      if (existsSync(cached)) { await utimes(cached, new Date(), new Date()).catch(() => {}); return cached; }
      let p = fetching.get(cached);
      if (!p) { p = fetchFrom(nodeId, rel, cached).finally(() => fetching.delete(cached)); fetching.set(cached, p); }
      return p;
    },
    route: route({
      method: 'get', path: '/internal/media', action: 'public', tag: 'cluster',
      summary: 'A recorded segment or evidence clip of this node, for another node of the room (signed with the room\'s shared key)',
      query: z.object({ path: relSchema }),
      handler: async ({ query, req }) => {
        const [from, exp, mac] = String(req.headers[HEADER] ?? '').split('.');
        const expected = Buffer.from(sign(d.key, query.path, Number(exp)));
        if (!from || !mac || !(Number(exp) > now()) || Number(exp) > now() + VALID_MS * 2
          || expected.length !== mac.length || !timingSafeEqual(expected, Buffer.from(mac))) {
          throw new DomainError('forbidden', 'node_signature', 'only the room\'s nodes fetch media files');
        }
        const file = inside(d.mediaDir, query.path);
        if (!existsSync(file)) throw new DomainError('not_found', 'not_found', 'no such file on this node', 'path');
        return fileReply(file);
      },
    }),
    async stop() { clearInterval(timer); await Promise.allSettled([...fetching.values()]); },
  };
}
