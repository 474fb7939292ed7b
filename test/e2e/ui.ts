// Steps the end-to-end tests take in the UI more than once.
import type { Page } from 'playwright-core';

/** Adds an inventory host through the Hosts page form, as a user would, and waits for its row. */
export async function addHostInUi(page: Page, origin: string, host: { name: string; port: number; user: string; identityFile: string }): Promise<void> {
  await page.goto(`${origin}/#/hosts`);
  await page.locator('[data-testid=host-add]').click();
  const field = (name: string) => page.locator(`[data-testid=host-field][data-name="${name}"]`);
  await field('name').fill(host.name);
  await field('address').fill('127.0.0.1');
  await field('port').fill(String(host.port));
  await field('user').fill(host.user);
  await field('identityFile').fill(host.identityFile);
  await page.locator('[data-testid=host-save]').click();
  await page.locator(`[data-testid=host-row][data-name="${host.name}"]`).waitFor();
}
