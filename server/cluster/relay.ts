// The server-side events other nodes must act on, carried over one PostgreSQL channel. Sockets do not need this
// (the socket.io adapter carries what they see); these are for the other nodes' servers: their status boards, the
// players they must cut, the publisher they must drop, the outbox worker they may be running. A relayed event is
// emitted on the receiving node's bus with `bus.peer` set to its origin (see events.ts), and is never relayed again.
import type { Sql } from '../db/connect.js';
import type { DomainEvents, EventBus } from '../events.js';
import type { Logger } from '../log.js';

const CHANNEL = 'uitkijk_bus';
// PostgreSQL refuses a notification payload of 8000 bytes or more; these events are a few hundred.
const MAX_PAYLOAD = 7900;

export const RELAYED = ['camera.status', 'session.ended', 'camera.revoked', 'dispatch.outbox'] as const satisfies ReadonlyArray<keyof DomainEvents>;
type Relayed = (typeof RELAYED)[number];

type Message = { from: string; event: Relayed; args: unknown[] } | { from: string; hello: true };

export async function startRelay(d: {
  sql: Sql; bus: EventBus; log: Logger; nodeId: string;
  /** What this node tells a node that joins (its cameras' statuses), as events of its own. */
  greet: () => Array<{ event: Relayed; args: unknown[] }>;
}): Promise<{ stop(): Promise<void> }> {
  const send = (m: Message) => {
    const payload = JSON.stringify(m);
    if (payload.length > MAX_PAYLOAD) { d.log.error({ event: 'event' in m ? m.event : 'hello', bytes: payload.length }, 'event too large to relay to the other nodes'); return; }
    void d.sql.notify(CHANNEL, payload).catch((err) => d.log.warn({ err }, 'event not relayed to the other nodes'));
  };
  const forwarders = RELAYED.map((event) => {
    const f = (...args: unknown[]) => { if (d.bus.peer === null) send({ from: d.nodeId, event, args }); };
    d.bus.on(event, f as never);
    return { event, f };
  });
  const listening = await d.sql.listen(CHANNEL, (payload) => {
    let m: Message;
    try { m = JSON.parse(payload) as Message; } catch { return; }
    if (m.from === d.nodeId) return;
    if ('hello' in m) { for (const g of d.greet()) send({ from: d.nodeId, ...g }); return; }
    if (!(RELAYED as readonly string[]).includes(m.event)) return;
    d.bus.emitFromPeer(m.from, m.event, ...(m.args as never));
  }, () => send({ from: d.nodeId, hello: true }));
  return {
    async stop() {
      for (const { event, f } of forwarders) d.bus.off(event, f as never);
      await listening.unlisten();
    },
  };
}
