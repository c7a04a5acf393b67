import { launchBrowser } from './browser';
const base = process.env.BASE ?? 'http://localhost:8090';
const b = await launchBrowser();
const errors: string[] = [];
async function shoot(user: string, name: string, hash = '', lang = 'nl') {
  const ctx = await b.newContext({ viewport: { width: 1600, height: 1000 } });
  const p = await ctx.newPage();
  p.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') errors.push(`${name}: ${m.text()}`); });
  p.on('pageerror', (e) => errors.push(`${name}: ${e.message}`));
  await p.goto(base + '/');
  if (lang === 'en') await p.getByLabel('Taal').selectOption('en');
  if (user) {
    await p.getByLabel(lang === 'en' ? 'Username' : 'Gebruikersnaam').fill(user);
    await p.getByLabel(lang === 'en' ? 'Password' : 'Wachtwoord').fill('uitkijk-demo');
    await p.getByRole('button', { name: lang === 'en' ? 'Log in' : 'Aanmelden' }).click();
    await p.getByTestId(`current-user`).waitFor();
  }
  if (hash) { await p.goto(base + '/' + hash); }
  await p.waitForTimeout(800);
  await p.screenshot({ path: `/tmp/shots/${name}.png`, fullPage: false });
  return { ctx, p };
}
await shoot('', 'login');
await shoot('observer', 'observer');
await shoot('admin', 'admin');
await shoot('admin', 'admin-users', '#/users');
await shoot('admin', 'admin-audit', '#/audit', 'en');
await shoot('enschede', 'municipality');
await shoot('dispatcher', 'dispatcher');
console.log(errors.join('\n') || 'no console errors');
await b.close();
