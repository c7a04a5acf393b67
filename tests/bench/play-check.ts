// npx tsx tests/bench/play-check.ts — what binding a play to its login session adds to the media server's play check
// (issue 13, item 15): parsing the player's Cookie header and two SHA-256s, per play; no database read, nothing added
// to the grant request. Writes bench/results/play-check.json.
import { loadavg } from 'node:os';
import { COOKIE, hashToken } from '../../server/auth/sessions.js';
import { sessionRef } from '../../server/live/play-tokens.js';
import { playedInGrantedSession } from '../../server/live/service.js';
import { writeResult } from './support.js';

const token = 'x'.repeat(43);
const claims = { userId: 'u', cameraId: 'c', stream: 'sub' as const, sid: sessionRef(hashToken(token)), exp: 0 };
const cookie = `theme=dark; ${COOKIE}=${token}`;
for (let i = 0; i < 20_000; i++) playedInGrantedSession(claims, cookie); // warm up
const n = 200_000;
const t0 = process.hrtime.bigint();
for (let i = 0; i < n; i++) if (!playedInGrantedSession(claims, cookie)) throw new Error('check failed');
const perCheckUs = Number(process.hrtime.bigint() - t0) / n / 1000;
const result = { date: new Date().toISOString(), checks: n, perCheckMicroseconds: +perCheckUs.toFixed(2), sixteenTileWallMicroseconds: +(16 * perCheckUs).toFixed(1), load1: loadavg()[0] };
console.log(JSON.stringify(result));
writeResult('play-check', result);
