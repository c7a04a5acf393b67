// Public holidays (config/holidays.json) that do not count as working days for the booking lead time.
import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

const fileSchema = z.object({ holidays: z.record(z.string().regex(/^\d{4}-\d{2}-\d{2}$/), z.string()) });

export function loadHolidays(configDir: string): ReadonlySet<string> {
  const file = path.join(configDir, 'holidays.json');
  if (!existsSync(file)) return new Set();
  return new Set(Object.keys(fileSchema.parse(JSON.parse(readFileSync(file, 'utf8'))).holidays));
}
