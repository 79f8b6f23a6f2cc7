/**
 * The dashboard end to end: read models seeded by the real projector from events made by the real
 * deciders, served over HTTP, opened in headless Chromium (playwright-core), with a screenshot in
 * `.local/screenshots/dashboard.png`. Needs the Debian `chromium` package (`npm run setup`).
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { createEventStore, type EventStore } from '@ledger/event-store';
import { createTestDatabase, type TestDatabase } from '@ledger/testing';
import { startDashboard, type RunningDashboard } from './dashboard/dashboard-server';
import type { DashboardData } from './dashboard/dashboard-data';
import { projectionsCaughtUp } from './testing/visibility';
import { rebuild } from './engine/rebuild';
import { ProjectorLifecycle } from './projector.module';
import { Projector } from './projector-runtime';
import { PROJECTIONS } from './projections';
import { People } from './testing/people';
import { Traffic } from './testing/traffic';

jest.setTimeout(180_000);

const CHROMIUM = '/usr/bin/chromium';
const SCREENSHOT = path.resolve(__dirname, '../../../../.local/screenshots/dashboard.png');

let db: TestDatabase;
const stores: Record<string, EventStore> = {};
let projector: Projector;
let dashboard: RunningDashboard;
let context: BrowserContext | undefined;
let profileDir: string | undefined;

/** One traffic clock per day (09:00 in Asia/Shanghai), on the same stores. */
const day = (date: string) => new Traffic(stores.wallet!, stores.payments!, `${date}T01:00:00.000Z`);

beforeAll(async () => {
  if (!existsSync(CHROMIUM))
    throw new Error(`Chromium is missing at ${CHROMIUM}: run \`npm run setup\` (it installs the Debian chromium package)`);
  db = await createTestDatabase('projector_dashboard');
  for (const schema of ['wallet', 'payments', 'identity', 'cards']) {
    stores[schema] = createEventStore(db.url, { schema, poolSize: 2 });
    await stores[schema].init();
  }
  projector = new Projector({ databaseUrl: db.url, pollIntervalMs: 20, batchSize: 50 });
  await projector.start();

  const day1 = day('2026-03-01');
  const people = new People(stores.identity!, stores.cards!, () => day1.now());
  for (const user of ['user-d1', 'user-d2', 'user-d3', 'user-d4']) await people.register(user);
  for (const user of ['user-d1', 'user-d2', 'user-d3']) await people.bindCard(user);
  await day1.openFunded('d1', 50_000n);
  await day1.openFunded('d2', 5_000n);
  await day1.merchantPayment('d1', 'm-canteen', 1_250n);
  await day1.merchantPayment('d1', 'm-bookshop', 300n, 'declined');
  const day2 = day('2026-03-02');
  await day2.merchantPayment('d1', 'm-canteen', 2_000n);
  await day2.merchantPayment('d1', 'm-coffee', 4_500n);
  await day2.merchantPayment('d1', 'm-coffee', 100n, 'wrong-password');
  const day3 = day('2026-03-03');
  await day3.merchantPayment('d1', 'm-coffee', 800n);
  // A reservation nobody captures, releases or expires: past its expiry long ago, a violation.
  await day3.wallet('d2', (now) => ({
    type: 'ReserveFunds',
    walletId: 'd2',
    holdId: 'hold-stuck',
    amountMinor: 999n,
    expiresAt: new Date(Date.parse(now) + 3_600_000).toISOString(),
    reference: 'payment-stuck',
    counterparty: 'merchant:m-coffee',
    now,
  }));
  await projectionsCaughtUp(projector, db.url, PROJECTIONS);

  dashboard = await startDashboard({ source: () => projector.dataSource, port: 0, logger: ['error'] });
});

afterAll(async () => {
  await context?.close();
  if (profileDir) rmSync(profileDir, { recursive: true, force: true });
  await dashboard?.close();
  await projector?.stop();
  for (const store of Object.values(stores)) await store.close();
  await db?.drop();
});

async function openBrowser(): Promise<Page> {
  profileDir = mkdtempSync(path.join(os.tmpdir(), 'dashboard-chromium-'));
  context = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport: { width: 900, height: 1400 },
  });
  return context.pages()[0] ?? context.newPage();
}

const attr = (page: Page, selector: string, name: string) =>
  page.locator(selector).evaluateAll((nodes, attribute) => nodes.map((node) => node.getAttribute(attribute)), name);

describe('dashboard', () => {
  it('shows the seeded figures and the invariant status in headless Chromium, and writes a screenshot', async () => {
    const page = await openBrowser();
    const requested: string[] = [];
    page.on('request', (request) => requested.push(request.url()));
    const response = await page.goto(dashboard.url);
    expect(response?.status()).toBe(200);

    // Daily merchant volume: one bar per Asia/Shanghai day, gross of the completed merchant payments.
    expect(await attr(page, '#volume rect.bar', 'data-key')).toEqual(['2026-03-01', '2026-03-02', '2026-03-03']);
    expect(await attr(page, '#volume rect.bar', 'data-value')).toEqual(['1250', '6500', '800']);
    expect(await page.locator('#volume text.caption').allTextContents()).toEqual(['¥12.50', '¥65.00', '¥8.00']);
    expect(await page.locator('#volume text.label').allTextContents()).toEqual(['03-01', '03-02', '03-03']);

    // Outcomes per day: completed plus one segment per failure reason.
    expect(await page.locator('#outcomes g.column').count()).toBe(3);
    expect(await page.locator('#outcomes text.caption').allTextContents()).toEqual(['1/1', '2/1', '1/0']);
    expect(await attr(page, '#outcomes rect.bar', 'data-series')).toEqual([
      'completed',
      'failed:MERCHANT_DECLINED',
      'completed',
      'failed:WRONG_PAYMENT_PASSWORD',
      'completed',
    ]);
    expect(await page.locator('#failure-reasons li').allTextContents()).toEqual([
      'completed',
      'MERCHANT_DECLINED: 1',
      'WRONG_PAYMENT_PASSWORD: 1',
    ]);

    // Funnel: 4 registered, 3 with a card, 2 with a wallet, 1 who paid.
    expect(await attr(page, '#funnel g.step', 'data-count')).toEqual(['4', '3', '2', '1']);
    expect(await page.locator('#funnel text.count').allTextContents()).toEqual(['4 (100%)', '3 (75%)', '2 (50%)', '1 (25%)']);
    const widths = (await attr(page, '#funnel rect.bar', 'width')).map(Number);
    expect(widths[0]).toBeGreaterThan(widths[1]!);
    expect(widths[1]).toBeGreaterThan(widths[2]!);
    expect(widths[2]).toBeGreaterThan(widths[3]!);

    // Invariants: the ledger balances, each payment has one outcome, each wallet agrees with its postings; the stuck hold is listed.
    expect(
      await page
        .locator('[data-invariant]')
        .evaluateAll((nodes) => nodes.map((n) => [n.getAttribute('data-invariant'), n.getAttribute('data-ok')])),
    ).toEqual([
      ['ledger', 'true'],
      ['outcomes', 'true'],
      ['wallets', 'true'],
      ['holds', 'false'],
    ]);
    expect(await page.locator('#invariants-section h2').textContent()).toBe('Invariants: VIOLATED');
    const violations = await page.locator('.violations li').allTextContents();
    expect(violations).toHaveLength(1);
    expect(violations[0]).toMatch(/^wallet d2 hold hold-stuck: ¥9\.99 expired 2026-03-03T\d\d:\d\d:00\.000Z \(payment payment-stuck\)$/);

    // The page is self-contained: the document is the only request.
    expect(requested).toEqual([`${dashboard.url}/`]);
    mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    expect(existsSync(SCREENSHOT)).toBe(true);
  });

  it('keeps answering with the same figures while a replay swaps every read model in', async () => {
    const figures = (data: DashboardData) => ({ ...data, invariants: { ...data.invariants, asOf: '' } });
    const fetchData = async () => {
      const response = await fetch(`${dashboard.url}/api/dashboard`);
      if (response.status !== 200) throw new Error(`status ${response.status}: ${await response.text()}`);
      return figures((await response.json()) as DashboardData);
    };
    const before = await fetchData();
    let replaying = true;
    const seen: unknown[] = [];
    const errors: unknown[] = [];
    const poller = (async () => {
      while (replaying) {
        try {
          seen.push(await fetchData());
        } catch (error) {
          errors.push(error);
        }
      }
    })();
    for (const projection of PROJECTIONS)
      expect(
        (await rebuild(projector.dataSource!, projector.storeFor(projection.source), projection, { swap: true, pageSize: 4 })).swapped,
      ).toBe(true);
    replaying = false;
    await poller;
    expect(errors).toEqual([]);
    expect(seen.length).toBeGreaterThan(0);
    for (const data of seen) expect(data).toEqual(before);
    expect(before.volume.map((d) => d.grossMinor)).toEqual(['1250', '6500', '800']);
  });

  it('the projector service starts its dashboard next to the projections and stops it with them', async () => {
    // No invariant monitor: its alerts would go to the shared broker's unprefixed topic (alerts.int-spec.ts covers it).
    const service = new ProjectorLifecycle({ databaseUrl: db.url, pollIntervalMs: 20, dashboardPort: 0, alerts: false });
    await service.onApplicationBootstrap();
    const url = service.dashboard!.url;
    try {
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const response = await fetch(`${url}/`);
      expect([response.status, response.headers.get('content-security-policy')?.startsWith("default-src 'none'")]).toEqual([200, true]);
      expect(await response.text()).toContain('<h1>Ledger analytics</h1>');
    } finally {
      await service.onApplicationShutdown();
    }
    await expect(fetch(`${url}/api/dashboard`)).rejects.toThrow();
  });
});
