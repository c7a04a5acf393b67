// npm run audit:verify — walks the audit chain and names the first broken link (exit 1 when broken).
import { withDatabase } from '../db/cli.js';
import { verifyChain } from './store.js';

const report = await withDatabase(verifyChain);
if (report.ok) console.log(`audit chain intact: ${report.rows} rows`);
else console.error(`audit chain BROKEN at row ${report.firstBroken!.id} (${report.firstBroken!.reason}); ${report.rows} rows before it are intact`);
process.exit(report.ok ? 0 : 1);
