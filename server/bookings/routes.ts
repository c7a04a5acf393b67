import { z } from 'zod';
import { route, reply } from '../http/route.js';
import type { BookingService, Actor } from './service.js';
import { usageCsv, usageReport } from './usage.js';
import { usagePdf } from './usage-pdf.js';
import {
  bookingApproveSchema, bookingChangeSchema, bookingCreateSchema, bookingDecisionSchema, bookingDetailSchema, bookingListQuerySchema, bookingSchema,
  activationSchema, capacitySchema, rosterObserverSchema, rosterEntrySchema, rosterInputSchema, rosterQuerySchema, usageQuerySchema, usageSchema, uuidParams,
} from './schema.js';
import { HttpError } from '../http/errors.js';
import type { Sql } from '../db/connect.js';
import type { Activation } from './schema.js';
import { activeObservers } from './store.js';

export function bookingRoutes(bookings: BookingService, sql: Sql, now: () => Date, activations: () => Activation[]) {
  const actor = (c: { user: any; remoteAddr: string }): Actor => ({ user: c.user, remoteAddr: c.remoteAddr });
  return [
    route({ method: 'get', path: '/api/bookings', action: 'bookings.read', tag: 'bookings', summary: 'Bookings (a municipality: its own) whose windows overlap [from, to), by first window',
      query: bookingListQuerySchema, response: z.array(bookingSchema), handler: (c) => bookings.list(actor(c), c.query) }),
    route({ method: 'post', path: '/api/bookings', action: 'bookings.request', tag: 'bookings', summary: 'Request flexible supervision for an event in your municipality (windows in Europe/Amsterdam wall clock)',
      body: bookingCreateSchema, response: bookingSchema, handler: async (c) => reply(201, await bookings.create(actor(c), c.body)) }),
    route({ method: 'get', path: '/api/bookings/usage', action: 'bookings.usage', tag: 'bookings', summary: 'Usage per municipality for a month (a municipality: its own): JSON, CSV or PDF',
      query: usageQuerySchema, response: usageSchema, handler: async (c) => {
        if (c.user!.role === 'municipality' && c.query.municipality && c.query.municipality !== c.user!.municipalityId) throw new HttpError(404, 'not_found', 'municipality not found');
        const u = await usageReport(sql, { month: c.query.month, municipalityId: c.user!.role === 'municipality' ? c.user!.municipalityId! : c.query.municipality, now: now() });
        const name = `gebruik-${c.query.municipality ?? c.user!.municipalityId ?? 'twente'}-${c.query.month}`;
        if (c.query.format === 'csv') return reply(200, Buffer.from(usageCsv(u)), { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': `attachment; filename="${name}.csv"` });
        if (c.query.format === 'pdf') return reply(200, Buffer.from(await usagePdf(u)), { 'content-type': 'application/pdf', 'content-disposition': `attachment; filename="${name}.pdf"` });
        return u;
      } }),
    route({ method: 'get', path: '/api/bookings/:id', action: 'bookings.read', tag: 'bookings', summary: 'One booking with its history (another municipality’s: 404)',
      params: uuidParams, response: bookingDetailSchema, handler: (c) => bookings.get(actor(c), c.params.id) }),
    route({ method: 'patch', path: '/api/bookings/:id', action: 'bookings.change', tag: 'bookings', summary: 'Change a booking (a changed plan sends an approved booking back for approval); 409 stale_version',
      params: uuidParams, body: bookingChangeSchema, response: bookingSchema, handler: (c) => bookings.change(actor(c), c.params.id, c.body) }),
    route({ method: 'post', path: '/api/bookings/:id/cancel', action: 'bookings.change', tag: 'bookings', summary: 'Cancel a booking with a reason (its units are released at once)',
      params: uuidParams, body: bookingDecisionSchema, response: bookingSchema, handler: (c) => bookings.cancel(actor(c), c.params.id, c.body) }),
    route({ method: 'get', path: '/api/bookings/:id/capacity', action: 'bookings.plan', tag: 'bookings', summary: 'Per window: free flexible units, rostered observers, conflicts',
      params: uuidParams, response: capacitySchema, handler: (c) => bookings.capacity(actor(c), c.params.id) }),
    route({ method: 'post', path: '/api/bookings/:id/approve', action: 'bookings.plan', tag: 'bookings', summary: 'Approve, assigning units (and rostered observers); 409 when another supervisor was first or a unit is taken',
      params: uuidParams, body: bookingApproveSchema, response: bookingSchema, handler: (c) => bookings.approve(actor(c), c.params.id, c.body) }),
    route({ method: 'post', path: '/api/bookings/:id/reject', action: 'bookings.plan', tag: 'bookings', summary: 'Reject a request with a reason',
      params: uuidParams, body: bookingDecisionSchema, response: bookingSchema, handler: (c) => bookings.reject(actor(c), c.params.id, c.body) }),
    route({ method: 'get', path: '/api/live/activations', action: 'live.status', tag: 'live', summary: 'Flexible units inside an approved window now (walls show only these of the flexible units)',
      response: z.array(activationSchema), handler: async () => activations() }),
    route({ method: 'get', path: '/api/roster', action: 'bookings.plan', tag: 'bookings', summary: 'Observers rostered in [from, to)',
      query: rosterQuerySchema, response: z.array(rosterEntrySchema), handler: (c) => bookings.listRoster(c.query) }),
    route({ method: 'get', path: '/api/roster/observers', action: 'bookings.plan', tag: 'bookings', summary: 'Active observers who can be rostered (the roster form)',
      response: z.array(rosterObserverSchema), handler: () => activeObservers(sql) }),
    route({ method: 'post', path: '/api/roster', action: 'bookings.plan', tag: 'bookings', summary: 'Roster an observer (Europe/Amsterdam wall clock); 409 roster_overlap',
      body: rosterInputSchema, response: rosterEntrySchema, handler: async (c) => reply(201, await bookings.addRoster(actor(c), c.body)) }),
    route({ method: 'delete', path: '/api/roster/:id', action: 'bookings.plan', tag: 'bookings', summary: 'Remove a roster entry',
      params: uuidParams, handler: async (c) => { await bookings.removeRoster(actor(c), c.params.id); return reply(204); } }),
  ];
}

