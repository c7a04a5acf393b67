// Shift log, shift report and figures: the contract shared with the client. Browser-safe.
import { z } from 'zod';
import { cameraIdSchema } from '../cameras/schema.js';
import { alertStatusSchema, prioritySchema, uuidParams } from '../incidents/schema.js';

export { uuidParams };

export const shiftSchema = z.object({
  id: z.string(), userId: z.string(), userName: z.string(),
  startedAt: z.string(), endedAt: z.string().nullable(),
  cameraIds: z.array(z.string()), handoverNotes: z.string(),
}).meta({ id: 'Shift' });
export type Shift = z.infer<typeof shiftSchema>;

const cameraList = z.array(cameraIdSchema).max(64).refine((a) => new Set(a).size === a.length, 'a camera is listed twice');
export const shiftStartSchema = z.object({ cameraIds: cameraList.default([]) }).strict().meta({ id: 'ShiftStart' });
export const shiftUpdateSchema = z.object({ cameraIds: cameraList, handoverNotes: z.string().max(10_000) }).partial().strict()
  .refine((o) => Object.keys(o).length > 0, 'give at least one field to change').meta({ id: 'ShiftUpdate' });
export const shiftEndSchema = z.object({ handoverNotes: z.string().max(10_000).optional() }).strict().meta({ id: 'ShiftEnd' });
export const shiftListQuerySchema = z.object({
  scope: z.enum(['mine', 'all']).default('all'),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});
/** The shift report: JSON, a spreadsheet (csv) or a printable document (pdf, in lang: Dutch by default). */
export const reportQuerySchema = z.object({ format: z.enum(['json', 'csv', 'pdf']).default('json'), lang: z.enum(['nl', 'en']).default('nl') });

export const reportIncidentSchema = z.object({
  number: z.number(), id: z.string(), taggedAt: z.string(), categoryId: z.string(), category: z.string(), priority: prioritySchema,
  location: z.string(), municipality: z.string(), cameras: z.string(), status: z.string(),
  alertStatus: alertStatusSchema.nullable(), raisedAt: z.string().nullable(), acknowledgedAt: z.string().nullable(),
  onSceneAt: z.string().nullable(), closedAt: z.string().nullable(), escalated: z.boolean(),
  /** Seconds from the key press to the dispatch centre's acknowledgement. */
  tagToAckSeconds: z.number().nullable(),
  ackToOnSceneSeconds: z.number().nullable(),
});
export type ReportIncident = z.infer<typeof reportIncidentSchema>;

const durationStats = z.object({ count: z.number(), medianSeconds: z.number().nullable(), p90Seconds: z.number().nullable() });

export const shiftReportSchema = z.object({
  shift: shiftSchema,
  summary: z.object({ incidents: z.number(), alerts: z.number(), escalated: z.number(), tagToAck: durationStats, ackToOnScene: durationStats }),
  incidents: z.array(reportIncidentSchema),
}).meta({ id: 'ShiftReport' });
export type ShiftReport = z.infer<typeof shiftReportSchema>;

const day = z.iso.date();
export const figuresQuerySchema = z.object({ from: day, to: day, format: z.enum(['json', 'csv']).default('json') })
  .refine((q) => q.from <= q.to, { message: 'from must not be after to', path: ['from'] })
  .refine((q) => Date.parse(q.to) - Date.parse(q.from) <= 366 * 86_400_000, { message: 'at most one year', path: ['to'] });

export const figuresSchema = z.object({
  from: z.string(), to: z.string(),
  /** A night is named by the date of its evening (Europe/Amsterdam; 02:00 on Saturday belongs to Friday's night). */
  perNight: z.array(z.object({ night: z.string(), incidents: z.number(), alerts: z.number() })),
  perMunicipality: z.array(z.object({ municipalityId: z.string(), name: z.string(), incidents: z.number() })),
  perCategory: z.array(z.object({ categoryId: z.string(), nl: z.string(), en: z.string(), topLevel: z.string(), incidents: z.number() })),
  response: z.object({
    /** The room: the key press (M) to the first raise to the dispatch centre. */
    tagToRaise: durationStats,
    /** The dispatch centre: each raise to its acknowledgement. */
    raiseToAck: durationStats,
    ackToOnScene: durationStats,
  }),
}).meta({ id: 'Figures' });
export type Figures = z.infer<typeof figuresSchema>;
