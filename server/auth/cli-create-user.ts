// npm run user:create -- --username <name> --role <role> [--display-name <text>] [--municipality <id>]
// The password is read from the UITKIJK_PASSWORD environment variable or, when unset, from standard input,
// so it never appears in the shell history or the process list.
import { parseArgs } from 'node:util';
import { createInterface } from 'node:readline/promises';
import { withDatabase } from '../db/cli.js';
import { userCreateSchema } from '../users/schema.js';
import { UserService } from '../users/service.js';
import { EventBus } from '../events.js';

const { values } = parseArgs({ options: { username: { type: 'string' }, role: { type: 'string' }, 'display-name': { type: 'string' }, municipality: { type: 'string' } } });

async function readPassword(): Promise<string> {
  if (process.env.UITKIJK_PASSWORD) return process.env.UITKIJK_PASSWORD;
  const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: false });
  process.stderr.write('password (at least 12 characters): ');
  const line = await rl[Symbol.asyncIterator]().next();
  rl.close();
  return String(line.value ?? '').trim();
}

const parsed = userCreateSchema.safeParse({
  username: values.username, role: values.role, displayName: values['display-name'] ?? values.username,
  municipalityId: values.municipality ?? null, password: await readPassword(),
});
if (!parsed.success) {
  for (const i of parsed.error.issues) console.error(`${i.path.join('.') || 'input'}: ${i.message}`);
  process.exit(2);
}
try {
  const user = await withDatabase((sql) => new UserService(sql, new EventBus()).create({ user: null, remoteAddr: 'cli' }, parsed.data));
  console.log(`created ${user.role} ${user.username}`);
} catch (e) {
  console.error(`could not create the user: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
}
