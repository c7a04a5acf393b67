// The socket.io client, typed with the server's event contract. Same origin, cookie-authenticated.
import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from '../../../server/realtime/events';

export type RoomSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export function connectRealtime(): RoomSocket {
  // Connected by the console that owns it (not on creation), so a discarded instance never holds a connection.
  return io({ path: '/socket.io', withCredentials: true, autoConnect: false });
}
