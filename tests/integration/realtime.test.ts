import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io as connect, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from '../../server/realtime/events.js';
import type { Camera } from '../../server/cameras/schema.js';
import { ApiClient, startTestRoom, type TestRoom } from '../support/room.js';

type Client = Socket<ServerToClientEvents, ClientToServerEvents>;
let room: TestRoom;
const sockets: Client[] = [];
beforeAll(async () => { room = await startTestRoom(); });
afterAll(async () => { sockets.forEach((s) => s.close()); await room?.close(); });

function open(cookie?: string): Promise<Client> {
  const s: Client = connect(room.url, { transports: ['websocket'], extraHeaders: cookie ? { cookie } : {}, reconnection: false });
  sockets.push(s);
  return new Promise((resolve, reject) => { s.on('connect', () => resolve(s)); s.on('connect_error', reject); });
}
const next = <E extends keyof ServerToClientEvents>(s: Client, e: E, ms = 3000) => new Promise<Parameters<ServerToClientEvents[E]>>((resolve, reject) => {
  const t = setTimeout(() => reject(new Error(`no ${e} within ${ms} ms`)), ms);
  s.once(e as any, (...a: any[]) => { clearTimeout(t); resolve(a as any); });
});

describe('realtime', () => {
  it('refuses a connection without a valid session', async () => {
    await expect(open()).rejects.toThrow(/unauthenticated/);
    await expect(open('uitkijk_session=forged')).rejects.toThrow(/unauthenticated/);
  });

  it('pushes camera changes to every console that may see them, and not to other municipalities', async () => {
    const obs = await open((await new ApiClient(room.url).login('observer')).cookie);
    const ens = await open((await new ApiClient(room.url).login('enschede')).cookie);
    const hgl = await open((await new ApiClient(room.url).login('hengelo')).cookie);
    let leaked: Camera | null = null;
    hgl.on('camera:changed', (c) => { leaked = c; });
    const admin = await new ApiClient(room.url).login('admin');
    const seen = Promise.all([next(obs, 'camera:changed'), next(ens, 'camera:changed')]);
    await admin.patch('/api/cameras/ens-stationsplein', { notes: 'verplaatst' });
    const [[a], [b]] = await seen;
    expect(a.id).toBe('ens-stationsplein');
    expect(b.notes).toBe('verplaatst');
    await new Promise((r) => setTimeout(r, 200));
    expect(leaked).toBeNull();
  });

  it('checks subscriptions against the policy', async () => {
    const obs = await open((await new ApiClient(room.url).login('observer')).cookie);
    expect(await obs.emitWithAck('subscribe', 'audit')).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await obs.emitWithAck('subscribe', 'cameras')).toEqual({ ok: true });
    expect(await obs.emitWithAck('subscribe', 'nonsense' as any)).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
  });

  it('logout ends the session’s sockets', async () => {
    const api = await new ApiClient(room.url).login('observer');
    const s = await open(api.cookie);
    const ended = next(s, 'session:ended');
    await api.delete('/api/session');
    await ended;
    await new Promise((r) => setTimeout(r, 100));
    expect(s.connected).toBe(false);
  });
});
