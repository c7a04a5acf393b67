// The flexible-supervision contract (bookings, planning, roster, usage), shared by server routes, socket events
// and the client. Times go in as Amsterdam wall clock (see local-time.ts) and come out as UTC ISO instants with
// their Amsterdam form beside them.
import { z } from 'zod';
import { cameraIdSchema, municipalityIdSchema } from '../cameras/schema.js';

declare module '../events.js' {
  interface DomainEvents {
    // A booking was requested, changed, approved, rejected or cancelled: the planning and the municipality's list.
    'booking.changed': [booking: Booking];
    // A flexible unit's window opened (activation) or closed (null): walls add or drop it.
    'camera.activation': [cameraId: string, activation: Activation | null];
  }
}

const text = (max: number) => z.string().trim().min(1).max(max);
const uuid = z.string().uuid();
export const uuidParams = z.object({ id: uuid });

/** Amsterdam wall clock, e.g. "2026-06-12T21:00"; "+02:00"/"+01:00" picks the first/second 02:30 of the October change. */
export const localDateTimeSchema = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:00)?(Z|[+-]\d{2}:\d{2})?$/, 'a local date and time such as 2026-06-12T21:00');
export const localDateSchema = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date such as 2026-06-12');
export const monthSchema = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'a month such as 2026-11');

export const riskClassSchema = z.enum(['A', 'B', 'C']);
export const bookingStatusSchema = z.enum(['requested', 'approved', 'rejected', 'cancelled']);
export type BookingStatus = z.infer<typeof bookingStatusSchema>;

export const windowInputSchema = z.object({ start: localDateTimeSchema, end: localDateTimeSchema }).strict();

const bookingFields = {
  eventName: text(200),
  address: text(300),
  location: z.object({ lat: z.number().min(-90).max(90), lon: z.number().min(-180).max(180) }).strict(),
  riskClass: riskClassSchema,
  windows: z.array(windowInputSchema).min(1).max(20),
  unitsWanted: z.number().int().min(1).max(50),
  observersWanted: z.number().int().min(0).max(20),
  // The mayor's designation decision (aanwijzingsbesluit): every window must lie inside its period.
  decision: z.object({ reference: text(100), from: localDateSchema, to: localDateSchema }).strict(),
  contact: z.object({ name: text(120), phone: text(40), email: z.string().trim().max(200).email().or(z.literal('')).default('') }).strict(),
  notes: z.string().max(10_000).default(''),
};

export const bookingCreateSchema = z.object(bookingFields).strict().meta({ id: 'BookingRequest' });
export type BookingCreate = z.infer<typeof bookingCreateSchema>;

// A change names the version it was based on: two people changing at once cannot silently overwrite each other.
// notes without its default: a change that leaves the notes out must keep them, not empty them.
export const bookingChangeSchema = z.object({ ...bookingFields, notes: z.string().max(10_000), expectedVersion: z.number().int().min(1) }).partial({
  eventName: true, address: true, location: true, riskClass: true, windows: true, unitsWanted: true, observersWanted: true, decision: true, contact: true, notes: true,
}).strict().meta({ id: 'BookingChange' });
export type BookingChange = z.infer<typeof bookingChangeSchema>;

export const bookingApproveSchema = z.object({
  expectedVersion: z.number().int().min(1),
  unitIds: z.array(cameraIdSchema).min(1).max(50),
  observerIds: z.array(uuid).max(20).default([]),
}).strict().meta({ id: 'BookingApproval' });
export const bookingDecisionSchema = z.object({ expectedVersion: z.number().int().min(1), reason: text(2000) }).strict().meta({ id: 'BookingReasonedDecision' });

export const bookingWindowSchema = z.object({
  id: z.string(), start: z.string(), end: z.string(), startLocal: z.string(), endLocal: z.string(), hours: z.number(),
});
export type BookingWindow = z.infer<typeof bookingWindowSchema>;

export const bookingSchema = z.object({
  id: z.string(), reference: z.string(),
  municipalityId: z.string(), municipalityName: z.string(),
  eventName: z.string(), address: z.string(), location: z.object({ lat: z.number(), lon: z.number() }),
  riskClass: riskClassSchema,
  windows: z.array(bookingWindowSchema),
  bookedHours: z.number(),
  unitsWanted: z.number(), observersWanted: z.number(),
  decision: z.object({ reference: z.string(), from: z.string(), to: z.string() }),
  contact: z.object({ name: z.string(), phone: z.string(), email: z.string() }),
  notes: z.string(),
  urgent: z.boolean(),
  status: bookingStatusSchema, statusReason: z.string(),
  units: z.array(z.object({ cameraId: z.string(), name: z.string() })),
  observers: z.array(z.object({ userId: z.string(), displayName: z.string() })),
  version: z.number(),
  createdBy: z.string(), createdAt: z.string(), updatedAt: z.string(),
}).meta({ id: 'Booking' });
export type Booking = z.infer<typeof bookingSchema>;

export const bookingEventSchema = z.object({ at: z.string(), actor: z.string().nullable(), kind: z.string(), details: z.record(z.string(), z.unknown()) });
export const bookingDetailSchema = bookingSchema.extend({ history: z.array(bookingEventSchema) }).meta({ id: 'BookingDetail' });
export type BookingDetail = z.infer<typeof bookingDetailSchema>;

export const bookingListQuerySchema = z.object({
  from: z.string().datetime({ offset: true }).optional(),   // windows overlapping [from, to) (the calendar's view)
  to: z.string().datetime({ offset: true }).optional(),
  status: bookingStatusSchema.optional(),
  municipality: municipalityIdSchema.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(200),
});

// ---- planning: capacity per window ------------------------------------------------------------------------------

export const windowCapacitySchema = z.object({
  windowId: z.string(), start: z.string(), end: z.string(),
  unitsTotal: z.number(),                                           // enabled flexible units in the region
  freeUnits: z.array(z.object({ cameraId: z.string(), name: z.string() })),
  takenUnits: z.array(z.object({ cameraId: z.string(), bookingId: z.string(), reference: z.string(), eventName: z.string() })),
  rosteredObservers: z.array(z.object({ userId: z.string(), displayName: z.string(), assignedElsewhere: z.boolean() })),
  observersAvailable: z.number(),
  conflicts: z.array(z.enum(['units_short', 'observers_short', 'overlaps_other_bookings'])),
});
export const capacitySchema = z.object({ bookingId: z.string(), unitsWanted: z.number(), observersWanted: z.number(), windows: z.array(windowCapacitySchema) }).meta({ id: 'BookingCapacity' });
export type Capacity = z.infer<typeof capacitySchema>;

// ---- roster -----------------------------------------------------------------------------------------------------

export const rosterInputSchema = z.object({ userId: uuid, start: localDateTimeSchema, end: localDateTimeSchema }).strict().meta({ id: 'RosterEntryInput' });
export const rosterEntrySchema = z.object({ id: z.string(), userId: z.string(), displayName: z.string(), start: z.string(), end: z.string(), startLocal: z.string(), endLocal: z.string() }).meta({ id: 'RosterEntry' });
export type RosterEntry = z.infer<typeof rosterEntrySchema>;
// Who can be put on the roster: the supervisor plans with the active observers but has no users.manage to list
// every account, so the planning gets this narrow list (id and name only).
export const rosterObserverSchema = z.object({ userId: z.string(), displayName: z.string() }).meta({ id: 'RosterObserver' });
export type RosterObserver = z.infer<typeof rosterObserverSchema>;
export const rosterQuerySchema = z.object({ from: z.string().datetime({ offset: true }), to: z.string().datetime({ offset: true }) });

// ---- usage per municipality per month ---------------------------------------------------------------------------

export const usageQuerySchema = z.object({
  month: monthSchema,
  municipality: municipalityIdSchema.optional(),
  format: z.enum(['json', 'csv', 'pdf']).default('json'),
});
export const usageRowSchema = z.object({
  bookingId: z.string(), reference: z.string(), municipalityId: z.string(), municipalityName: z.string(), eventName: z.string(), riskClass: riskClassSchema,
  windows: z.number(), units: z.number(),
  bookedHours: z.number(),        // window hours inside the month
  supervisedHours: z.number(),    // hours inside the windows in which at least one assigned unit was online
  incidents: z.number(), alerts: z.number(),
});
export const usageSchema = z.object({
  month: z.string(), from: z.string(), to: z.string(),
  rows: z.array(usageRowSchema),
  totals: z.array(z.object({ municipalityId: z.string(), municipalityName: z.string(), bookings: z.number(), bookedHours: z.number(), supervisedHours: z.number(), incidents: z.number(), alerts: z.number() })),
}).meta({ id: 'Usage' });
export type Usage = z.infer<typeof usageSchema>;

/** What observers' walls need: a flexible unit active now (inside a window plus margins), for which event, until when. */
export const activationSchema = z.object({ cameraId: z.string(), bookingId: z.string(), reference: z.string(), eventName: z.string(), until: z.string() }).meta({ id: 'Activation' });
export type Activation = z.infer<typeof activationSchema>;
