// The README's recipe for checking an evidence package with standard tools is run here exactly as written (taken
// from README.md, so the two cannot drift) against a real package from the room: the untouched package passes;
// any change to any of its files fails it, in particular a clip changed together with SHA256SUMS.
// With the same item: a console that has it open follows its custody trail live ('evidence:watch'), and only
// someone whose view of it is already in that trail may.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ApiClient, startTestRoom, type TestRoom } from '../support/room.js';
import { waitFor, type Publisher } from '../support/publisher.js';
import { createRtmpCamera, publishTo } from '../support/cameras.js';
import { waitReady } from '../support/evidence.js';
import { verifyPackage } from '../../server/evidence/verify.js';
import { io as connect, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from '../../server/realtime/events.js';
import type { CustodyEntry } from '../../server/evidence/schema.js';

/** What the README writes for the package and the room: replaced by this test's package and room. */
const PACKAGE_IN_README = 'bewijs-17.zip';
const ROOM_IN_README = 'https://<room>';
const MARKER = '<!-- evidence-verify-recipe: run verbatim by tests/integration/evidence-recipe.test.ts -->';

/** The shell block right after the marker in README.md. */
export function readmeRecipe(readme: string): string {
  const at = readme.indexOf(MARKER);
  if (at < 0) throw new Error('README.md has no evidence-verify-recipe marker');
  const block = /```sh\n([\s\S]*?)\n```/.exec(readme.slice(at + MARKER.length));
  if (!block) throw new Error('no ```sh block after the evidence-verify-recipe marker');
  return block[1]!;
}

let room: TestRoom;
let police: ApiClient;
const publishers: Publisher[] = [];
const work = mkdtempSync(path.join(tmpdir(), 'uitkijk-evidence-recipe-'));
const purpose = { caseNumber: 'PL0600-2026000777', legalBasis: 'order-126nd-sv' };

const run = (cmd: string, args: string[], cwd: string) => new Promise<{ code: number; out: string }>((resolve) =>
  execFile(cmd, args, { cwd, timeout: 60_000 }, (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, out: stdout + stderr })));

async function exportPackage(itemId: string, file: string) {
  const link = await police.post(`/api/evidence/${itemId}/package-link`, purpose);
  expect(link.status, JSON.stringify(link.body)).toBe(200);
  const dl = await fetch(room.url + link.body.url, { headers: { cookie: police.cookie } });
  expect(dl.status).toBe(200);
  writeFileSync(file, Buffer.from(await dl.arrayBuffer()));
}

/** Runs the README's recipe on a package in a fresh directory, as someone who received it would. */
async function recipe(zip: string) {
  const script = readmeRecipe(readFileSync('README.md', 'utf8')).replaceAll(PACKAGE_IN_README, zip).replaceAll(ROOM_IN_README, room.url);
  const cwd = mkdtempSync(path.join(work, 'check-'));
  return run('sh', ['-e', '-c', script], cwd);
}

/** Unpacks a package, lets `change` alter files in it, and packs it again. */
async function tampered(name: string, zip: string, change: (dir: string) => void): Promise<string> {
  const dir = path.join(work, name);
  mkdirSync(dir);
  expect((await run('unzip', ['-q', zip, '-d', dir], work)).code).toBe(0);
  change(dir);
  const out = path.join(work, `${name}.zip`);
  expect((await run('zip', ['-q', '-0', '-j', out, ...readdirSync(dir).map((f) => path.join(dir, f))], work)).code).toBe(0);
  return out;
}

const publishedKey = async () => (await new ApiClient(room.url).get('/api/evidence/public-key')).body.pem as string;
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const flipByte = (file: string, at: number) => { const b = readFileSync(file); b[at] = b[at]! ^ 0xff; writeFileSync(file, b); };

let pkg = '', other = '', clipName = '', itemId = '';

beforeAll(async () => {
  room = await startTestRoom();
  const [admin, observer] = await Promise.all(['admin', 'observer'].map((u) => new ApiClient(room.url).login(u)));
  police = await new ApiClient(room.url).login('police');
  const key = await createRtmpCamera(admin!, 'recipe-cam');
  publishTo(publishers, room, 'recipe-cam', key);
  await waitFor('online', () => room.board.get('recipe-cam').online, 15_000);
  await new Promise((r) => setTimeout(r, 9_000));
  const now = Date.now();
  const item = await observer!.post('/api/evidence', { cameras: ['recipe-cam'], from: new Date(now - 6_000).toISOString(), to: new Date(now - 2_000).toISOString(), reason: 'Controle van het recept' });
  expect(item.status, JSON.stringify(item.body)).toBe(201);
  expect((await waitReady(observer!, item.body.id)).state).toBe('ready');
  expect((await police.post(`/api/evidence/${item.body.id}/access`, purpose)).status).toBe(200);
  pkg = path.join(work, 'bewijs.zip');
  other = path.join(work, 'bewijs-again.zip');
  await exportPackage(item.body.id, pkg);
  // A second export of the same item: a manifest (its custody trail one export longer) validly signed by the same key.
  await exportPackage(item.body.id, other);
  clipName = `bewijs-${item.body.number}-recipe-cam.mp4`;
  itemId = item.body.id;
}, 120_000);

afterAll(async () => {
  await Promise.all(publishers.map((p) => p.stop()));
  await room?.close();
  rmSync(work, { recursive: true, force: true });
});

describe("the README's recipe for checking an evidence package with standard tools", { timeout: 60_000 }, () => {
  it('uses only standard tools: unzip, curl, jq, openssl, sha256sum, cut, grep', () => {
    const script = readmeRecipe(readFileSync('README.md', 'utf8'));
    const commands = script.split('\n').map((l) => l.replace(/(^|\s)#.*$/, '')).filter((l) => l.trim())
      .flatMap((l) => l.replace(/\$\(([^)]*)\)/g, '| $1').split(/&&|\||;/)).map((c) => c.trim().split(/\s+/)[0]).filter(Boolean);
    expect(new Set(commands)).toEqual(new Set(['unzip', 'cd', 'curl', 'jq', 'openssl', 'grep', 'sha256sum', 'cut', 'echo']));
  });

  it('passes the untouched package', async () => {
    const r = await recipe(pkg);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toContain('Signature Verified Successfully');
    expect(r.out).toContain(`${clipName}: OK`);
    expect(r.out).toContain('PAKKET IN ORDE / PACKAGE VERIFIED');
    // `npm run evidence:verify` agrees.
    expect((await verifyPackage(pkg, { publicKeyPem: await publishedKey() })).problems).toEqual([]);
  });

  const cases: Array<[string, (dir: string) => void]> = [
    ['clip changed', (d) => flipByte(path.join(d, clipName), 2000)],
    ['clip and SHA256SUMS changed', (d) => {
      flipByte(path.join(d, clipName), 2000);
      const sums = readFileSync(path.join(d, 'SHA256SUMS'), 'utf8').split('\n')
        .map((l) => (l.endsWith(`  ${clipName}`) ? `${sha256(readFileSync(path.join(d, clipName)))}  ${clipName}` : l)).join('\n');
      writeFileSync(path.join(d, 'SHA256SUMS'), sums);
    }],
    ['manifest changed', (d) => {
      const m = readFileSync(path.join(d, 'manifest.json'), 'utf8');
      writeFileSync(path.join(d, 'manifest.json'), m.replace('Controle van het recept', 'Controle van het rekept'));
    }],
    ['signature swapped (a valid signature of another manifest by the same key)', (d) => {
      const sig = execFileSync('unzip', ['-p', other, 'manifest.sig']);
      expect(sig.equals(readFileSync(path.join(d, 'manifest.sig')))).toBe(false);
      writeFileSync(path.join(d, 'manifest.sig'), sig);
    }],
    ['public key in the package changed', (d) => writeFileSync(path.join(d, 'public-key.pem'), readFileSync(path.join(d, 'public-key.pem'), 'utf8') + '\n')],
    ['README.txt changed', (d) => writeFileSync(path.join(d, 'README.txt'), readFileSync(path.join(d, 'README.txt'), 'utf8').replace('Uitkijk', 'Uitkijk!'))],
  ];
  for (const [name, change] of cases) {
    it(`fails the package with ${name}`, async () => {
      const zip = await tampered(name.replace(/\W+/g, '-'), pkg, change);
      const r = await recipe(zip);
      expect(r.code, r.out).not.toBe(0);
      expect(r.out).not.toContain('PACKAGE VERIFIED');
      // `npm run evidence:verify` fails it too.
      expect((await verifyPackage(zip, { publicKeyPem: await publishedKey() })).ok).toBe(false);
    });
  }
});

describe("an open item's custody trail, live", { timeout: 30_000 }, () => {
  type RoomSocket = Socket<ServerToClientEvents, ClientToServerEvents>;
  const sockets: RoomSocket[] = [];
  afterAll(() => { for (const s of sockets) s.close(); });
  const socketOf = async (api: ApiClient) => {
    const s: RoomSocket = connect(room.url, { transports: ['websocket'], extraHeaders: { cookie: api.cookie }, reconnection: false });
    sockets.push(s);
    await new Promise<void>((r) => s.on('connect', () => r()));
    return s;
  };
  const watch = (s: RoomSocket, id: unknown) => new Promise<Parameters<Parameters<ClientToServerEvents['evidence:watch']>[1]>[0]>((r) => s.emit('evidence:watch', id as string, r));

  it('is refused to police who stated no purpose for the item, to room staff who have not viewed it, to roles without evidence, and for a bad id', async () => {
    const admin = await new ApiClient(room.url).login('admin');
    const created = await admin.post('/api/users', { username: 'rechercheur2', displayName: 'Tweede rechercheur', role: 'police', password: 'long-enough-password' });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const otherPolice = await new ApiClient(room.url).login('rechercheur2', 'long-enough-password');
    expect(await watch(await socketOf(otherPolice), itemId)).toMatchObject({ ok: false, error: { code: 'purpose_required' } });
    const supervisor = await new ApiClient(room.url).login('supervisor');
    expect(await watch(await socketOf(supervisor), itemId)).toMatchObject({ ok: false, error: { code: 'not_viewed' } });
    const municipality = await new ApiClient(room.url).login('enschede');
    expect(await watch(await socketOf(municipality), itemId)).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await watch(await socketOf(otherPolice), 'x')).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    expect(await watch(await socketOf(police), '00000000-0000-4000-8000-000000000000')).toMatchObject({ ok: false, error: { code: 'not_found' } });
    // Asking is not a view: nothing was recorded for them.
    expect(await room.sql`select 1 from evidence_custody where item_id = ${itemId} and actor_name in ('rechercheur2', 'supervisor', 'enschede')`).toHaveLength(0);
  });

  it('police who stated a purpose get the trail so far, then every new entry (their own play) without asking again', async () => {
    const s = await socketOf(police);
    const first = await watch(s, itemId);
    expect(first.ok).toBe(true);
    const before = (first as { custody: CustodyEntry[] }).custody;
    expect(before.map((c) => c.action)).toEqual(['preserved', 'produced', 'viewed', 'exported', 'exported']);
    // A supervisor console that does not follow the item hears nothing of it.
    const bystander = await socketOf(await new ApiClient(room.url).login('supervisor'));
    const overheard: unknown[] = [];
    bystander.on('evidence:custody', (u) => overheard.push(u));
    const pushed = new Promise<{ itemId: string; custody: CustodyEntry[] }>((r) => s.once('evidence:custody', r));
    const link = await police.post(`/api/evidence/${itemId}/clip-link`, { cameraId: 'recipe-cam', ...purpose });
    expect(link.status).toBe(200);
    await fetch(room.url + link.body.url, { headers: { cookie: police.cookie, range: 'bytes=0-99' } }).then((r) => r.arrayBuffer());
    const u = await pushed;
    expect(u.itemId).toBe(itemId);
    expect(u.custody.slice(0, before.length)).toEqual(before);
    expect(u.custody.at(-1)).toMatchObject({ action: 'played', actor: 'police', role: 'police', caseNumber: purpose.caseNumber });
    // Unwatched: the next entry is not pushed.
    s.emit('evidence:unwatch', itemId);
    const after: unknown[] = [];
    s.on('evidence:custody', (x) => after.push(x));
    await new Promise((r) => setTimeout(r, 100));
    expect((await police.post(`/api/evidence/${itemId}/access`, purpose)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 500));
    expect(after).toEqual([]);
    expect(overheard).toEqual([]);
  });
});
