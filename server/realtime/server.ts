// socket.io: authenticated by the session cookie, rooms per role and municipality, policy-checked subscriptions.
import type { Server as HttpServer } from 'node:http';
import { Server } from 'socket.io';
import pg from 'pg';
import { createAdapter } from '@socket.io/postgres-adapter';
import { parse as parseCookie } from 'cookie';
import type { Sql } from '../db/connect.js';
import type { Logger } from '../log.js';
import type { EventBus } from '../events.js';
import type { Metrics } from '../http/metrics.js';
import { can, evidencePurposeRequired, roles, type Action } from '../auth/policy.js';
import { COOKIE, resolveSession, type SessionTimes, type SessionUser } from '../auth/sessions.js';
import { DomainError } from '../errors.js';
import type { CustodyEntry } from '../evidence/schema.js';
import { sessionOpen } from './store.js';
import { rooms, topicSchema, type ClientToServerEvents, type ServerToClientEvents, type Topic } from './events.js';

interface SocketData { user: SessionUser; tokenHash: string }

/** The evidence capability's answer to consoles that follow an open item's custody trail. */
export interface CustodyFeed {
  /** The trail so far, or a DomainError when this user may not follow it. */
  followCustody(user: SessionUser, itemId: string): Promise<CustodyEntry[]>;
  custodyOf(itemId: string): Promise<CustodyEntry[]>;
}

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const topicAction: Record<Topic, Action> = { cameras: 'cameras.read', audit: 'audit.read' };

export function startRealtime(http: HttpServer, d: {
  sql: Sql; log: Logger; bus: EventBus; metrics: Metrics; times: SessionTimes; publicOrigin?: string; custody?: CustodyFeed;
  /** One node of several: socket events reach the other nodes' sockets through PostgreSQL (the socket.io adapter). */
  cluster?: { databaseUrl: string };
}) {
  const io = new Server<ClientToServerEvents, ServerToClientEvents, {}, SocketData>(http, {
    serveClient: false,
    // Same-origin consoles only: a foreign page must not ride on the session cookie.
    allowRequest: (req, cb) => {
      const origin = req.headers.origin;
      if (!origin) return cb(null, true);
      try { cb(null, origin === d.publicOrigin || new URL(origin).host === req.headers.host); } catch { cb(null, false); }
    },
  });

  // The adapter's own connections (a LISTEN and its notifications); the room's pool is the `postgres` driver's.
  const pool = d.cluster ? new pg.Pool({ connectionString: d.cluster.databaseUrl, max: 4 }) : null;
  if (pool) {
    pool.on('error', (err) => d.log.warn({ err }, 'socket.io adapter: PostgreSQL connection error'));
    io.adapter(createAdapter(pool, { tableName: 'socket_io_attachments' }));
  }
  // An event that happened on another node reached every socket through the adapter already (see events.ts `peer`).
  const own = <A extends unknown[]>(f: (...a: A) => void) => (...a: A) => { if (d.bus.peer === null) f(...a); };

  io.use(async (socket, next) => {
    try {
      const token = parseCookie(socket.handshake.headers.cookie ?? '')[COOKIE];
      const s = await resolveSession(d.sql, token, d.times);
      if (!s) return next(Object.assign(new Error('unauthenticated'), { data: { code: 'unauthenticated' } }));
      if (!can(s.user.role, 'realtime.connect')) return next(Object.assign(new Error('forbidden'), { data: { code: 'forbidden' } }));
      socket.data = { user: s.user, tokenHash: s.tokenHash };
      next();
    } catch (e) { next(e as Error); }
  });

  io.on('connection', (socket) => {
    const { user } = socket.data;
    d.metrics.sockets.inc();
    socket.join(rooms.role(user.role));
    if (user.municipalityId) socket.join(rooms.municipality(user.municipalityId));
    socket.on('subscribe', (topic, ack) => {
      const reply = typeof ack === 'function' ? ack : () => {};
      const t = topicSchema.safeParse(topic);
      if (!t.success) return reply({ ok: false, error: { code: 'invalid_input', message: 'unknown topic' } });
      if (!can(user.role, topicAction[t.data])) return reply({ ok: false, error: { code: 'forbidden', message: 'your role may not subscribe to this' } });
      socket.join(rooms.topic(t.data));
      reply({ ok: true });
    });
    socket.on('evidence:watch', async (itemId, ack) => {
      const reply = typeof ack === 'function' ? ack : () => {};
      if (typeof itemId !== 'string' || !uuid.test(itemId)) return reply({ ok: false, error: { code: 'invalid_input', message: 'itemId: an evidence item id' } });
      if (!d.custody) return reply({ ok: false, error: { code: 'unavailable', message: 'evidence is not served here' } });
      try {
        const custody = await d.custody.followCustody(user, itemId);
        await socket.join(rooms.evidence(itemId));
        reply({ ok: true, custody });
      } catch (e) {
        if (e instanceof DomainError) return reply({ ok: false, error: { code: e.code, message: e.message } });
        d.log.error({ err: e, itemId }, 'evidence:watch failed');
        reply({ ok: false, error: { code: 'internal', message: 'the custody trail could not be read' } });
      }
    });
    socket.on('evidence:unwatch', (itemId) => { if (typeof itemId === 'string') void socket.leave(rooms.evidence(itemId)); });
    socket.on('disconnect', () => d.metrics.sockets.dec());
  });

  // Camera changes reach every role that reads the registry; a municipality only its own cameras.
  d.bus.on('camera.changed', own((camera, previousMunicipalityId) => {
    const targets = roles.filter((r) => r !== 'municipality' && can(r, 'cameras.read')).map(rooms.role);
    io.to(targets).emit('camera:changed', camera);
    io.to(rooms.municipality(camera.municipalityId)).emit('camera:changed', camera);
    // The municipality it moved away from learns only that it left (the client drops cameras outside its municipality).
    if (previousMunicipalityId) io.to(rooms.municipality(previousMunicipalityId)).emit('camera:changed', camera);
  }));

  d.bus.on('camera.status', own((status) => {
    io.to(roles.filter((r) => can(r, 'live.status')).map(rooms.role)).emit('camera:status', status);
  }));

  // Incidents and their dispatch status: to every role that reads incidents (observers see 'ontvangen' live).
  d.bus.on('incident.changed', own((incident) => {
    io.to(roles.filter((r) => can(r, 'incidents.read')).map(rooms.role)).emit('incident:changed', incident);
  }));
  // Dispatch messages from the outbox worker: to the dispatch consoles (and the supervisors' board).
  d.bus.on('dispatch.message', own((message) => {
    io.to(roles.filter((r) => can(r, 'alerts.read')).map(rooms.role)).emit('dispatch:alert', message);
  }));
  d.bus.on('dispatch.delivery_failed', own((failure) => {
    io.to(roles.filter((r) => can(r, 'dispatch.monitor')).map(rooms.role)).emit('dispatch:delivery-failed', failure);
  }));
  // Evidence: the room sees items as they are produced; police see them without the reason until they state a purpose.
  d.bus.on('evidence.changed', own((item) => {
    const readers = roles.filter((r) => can(r, 'evidence.read'));
    io.to(readers.filter((r) => !evidencePurposeRequired.includes(r)).map(rooms.role)).emit('evidence:changed', item);
    const restricted = readers.filter((r) => evidencePurposeRequired.includes(r)).map(rooms.role);
    if (restricted.length) io.to(restricted).emit('evidence:changed', { ...item, reason: null });
  }));
  // An open item's custody trail, to the consoles following it (read only when someone does).
  d.bus.on('evidence.custody', own((itemId) => {
    const room = rooms.evidence(itemId);
    // One node knows only its own followers; in a cluster the trail is read and sent for whoever follows anywhere.
    if (!d.custody || (!pool && !io.sockets.adapter.rooms.get(room)?.size)) return;
    d.custody.custodyOf(itemId).then((custody) => { io.to(room).emit('evidence:custody', { itemId, custody }); },
      (e) => d.log.warn({ err: e, itemId }, 'custody trail not pushed'));
  }));
  d.bus.on('recordings.disk_low', own((alert) => {
    io.to(roles.filter((r) => can(r, 'recordings.monitor')).map(rooms.role)).emit('recordings:disk-low', alert);
  }));

  d.bus.on('booking.changed', own((b) => {
    io.to(roles.filter((r) => r !== 'municipality' && can(r, 'bookings.plan')).map(rooms.role)).emit('booking:changed', b);
    io.to(rooms.municipality(b.municipalityId)).emit('booking:changed', b);
  }));
  d.bus.on('camera.activation', own((cameraId, activation) => {
    io.to(roles.filter((r) => can(r, 'live.status')).map(rooms.role)).emit('camera:activation', { cameraId, activation });
  }));
  d.bus.on('masks.changed', own((cameraId, municipalityId) => {
    io.to(roles.filter((r) => r !== 'municipality' && can(r, 'masks.read')).map(rooms.role)).emit('masks:changed', { cameraId });
    io.to(rooms.municipality(municipalityId)).emit('masks:changed', { cameraId });
  }));
  d.bus.on('notification.created', own(({ audience, notification }) => {
    io.to('role' in audience ? rooms.role(audience.role) : rooms.municipality(audience.municipalityId)).emit('notification', { ...notification, read: false });
  }));

  const endSockets = async (match: (s: SocketData) => boolean) => {
    for (const s of await io.fetchSockets()) if (match(s.data)) { s.emit('session:ended'); s.disconnect(true); }
  };
  d.bus.on('session.ended', own((who) => { void endSockets((s) => s.tokenHash === who.tokenHash || s.user.id === who.userId); }));

  // Sessions expire while a console is open: re-check each connected socket's session every minute.
  const recheck = setInterval(async () => {
    for (const s of await io.local.fetchSockets()) {
      // A failed read keeps the socket: the database being down for a moment ends no one's session.
      const open = await sessionOpen(d.sql, s.data.tokenHash).catch(() => true);
      if (!open) { s.emit('session:ended'); s.disconnect(true); }
    }
  }, 60_000);
  recheck.unref();

  return { io, close: async () => {
    clearInterval(recheck);
    await new Promise<void>((resolve) => { io.close(() => resolve()); });
    await pool?.end();
  } };
}
