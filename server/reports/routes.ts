import { z } from 'zod';
import { route, reply } from '../http/route.js';
import type { ReportService, Actor } from './service.js';
import {
  figuresQuerySchema, figuresSchema, reportQuerySchema, shiftEndSchema, shiftListQuerySchema, shiftReportSchema, shiftSchema, shiftStartSchema,
  shiftUpdateSchema, uuidParams,
} from './schema.js';

const csv = (text: string, name: string) => reply(200, Buffer.from(text, 'utf8'), { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': `attachment; filename="${name}"` });
const pdf = (bytes: Uint8Array, name: string) => reply(200, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), {
  'content-type': 'application/pdf', 'content-disposition': `attachment; filename="${name}"`, 'cache-control': 'private, no-store' });

export function reportRoutes(reports: ReportService) {
  const actor = (c: { user: any; remoteAddr: string }): Actor => ({ user: c.user, remoteAddr: c.remoteAddr });
  return [
    route({ method: 'get', path: '/api/shifts', action: 'shifts.log', tag: 'shifts', summary: 'The shift log with hand-over notes, newest first (scope=mine: only yours)',
      query: shiftListQuerySchema, response: z.array(shiftSchema), handler: (c) => reports.list(actor(c), c.query) }),
    route({ method: 'get', path: '/api/shifts/current', action: 'shifts.log', tag: 'shifts', summary: 'Your running shift, or null',
      response: shiftSchema.nullable(), handler: (c) => reports.current(actor(c)) }),
    route({ method: 'post', path: '/api/shifts', action: 'shifts.log', tag: 'shifts', summary: 'Start your shift with the cameras you watch (409 shift_open when one runs)',
      body: shiftStartSchema, response: shiftSchema, handler: async (c) => reply(201, await reports.start(actor(c), c.body.cameraIds)) }),
    route({ method: 'patch', path: '/api/shifts/:id', action: 'shifts.log', tag: 'shifts', summary: 'Change the cameras or the hand-over notes of your running shift',
      params: uuidParams, body: shiftUpdateSchema, response: shiftSchema, handler: (c) => reports.update(actor(c), c.params.id, c.body) }),
    route({ method: 'post', path: '/api/shifts/:id/end', action: 'shifts.log', tag: 'shifts', summary: 'End your shift, with hand-over notes for the next',
      params: uuidParams, body: shiftEndSchema, response: shiftSchema, handler: (c) => reports.end(actor(c), c.params.id, c.body.handoverNotes) }),
    route({ method: 'get', path: '/api/shifts/:id/report', action: 'shifts.log', tag: 'shifts', summary: 'Shift report: incidents, alerts, response times (format=csv: a spreadsheet; format=pdf: printable, lang=nl|en)',
      params: uuidParams, query: reportQuerySchema, response: shiftReportSchema,
      handler: async (c) => {
        const r = await reports.report(c.params.id);
        const name = `dienst-${r.shift.startedAt.slice(0, 10)}-${r.shift.userName.replace(/[^\w-]+/g, '_')}`;
        if (c.query.format === 'csv') return csv(reports.reportCsv(r), `${name}.csv`);
        if (c.query.format === 'pdf') return pdf(await reports.reportPdf(r, c.query.lang), `${name}.pdf`);
        return r;
      } }),
    route({ method: 'get', path: '/api/figures', action: 'figures.read', tag: 'shifts', summary: 'Incidents per night, municipality and category; dispatch response times (format=csv)',
      query: figuresQuerySchema, response: figuresSchema,
      handler: async ({ query }) => {
        const f = await reports.figures(query.from, query.to);
        return query.format === 'csv' ? csv(reports.figuresCsv(f), `cijfers-${query.from}-${query.to}.csv`) : f;
      } }),
  ];
}
