// End to end: the web visualizer (demo/index.html, served by demo/serve.mjs) in Chromium.
// Uses the controls and checks that the drawing follows; saves docs/visualizer.png for the README.
//
// Needs /usr/bin/chromium (Debian's package; .ci/run installs it; CHROMIUM_PATH overrides).
// Without it the suite is skipped with a printed line, except under CI, where a missing
// browser is a failure.

import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startServer, type RunningServer } from '../../demo/serve.mjs';

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const ROOT = resolve(import.meta.dirname, '../..');
// The README's picture is rewritten only on request (UPDATE_SCREENSHOT=1) or when missing, so
// a test run leaves the tree clean; otherwise the same screenshot goes to a scratch file.
const README_SHOT = resolve(ROOT, 'docs/visualizer.png');
const SCREENSHOT = process.env.UPDATE_SCREENSHOT === '1' || !existsSync(README_SHOT)
  ? README_SHOT
  : resolve(tmpdir(), `tickwheel-visualizer-${process.pid}.png`);
const VIEWPORT = { width: 1280, height: 820 }; // the whole page, no scrolling
const inCI = !!process.env.CI && !/^(0|false)$/i.test(process.env.CI);
const haveChromium = existsSync(CHROMIUM);

if (!haveChromium && !inCI) {
  console.log(`[visualizer] skipped: ${CHROMIUM} not found (install Debian's chromium, or run .ci/run; under CI=true this fails)`);
}

/** GET `path` exactly as written (no URL normalisation); resolves with the status code. */
function rawStatus(base: string, path: string): Promise<number> {
  const { hostname, port } = new URL(base);
  return new Promise((done, fail) => {
    get({ host: hostname, port, path }, (res) => { res.resume(); done(res.statusCode ?? 0); }).on('error', fail);
  });
}

interface Snapshot {
  clock: number; paused: boolean; lit: number; litPerLevel: number[]; exact: boolean; cascades: number;
  pending: number; fired: number; levels: number[]; lateness: number[];
}

describe.skipIf(!haveChromium && !inCI)('web visualizer', () => {
  let server: RunningServer | undefined;
  let browser: Browser | undefined;
  let page: Page;
  const errors: string[] = [];

  beforeAll(async () => {
    if (!haveChromium) throw new Error(`CI is set but ${CHROMIUM} is missing: the browser tests cannot run (.ci/run installs it)`);
    if (!existsSync(resolve(ROOT, 'dist/index.js'))) throw new Error('dist/index.js is missing: run `npm run build` first (npm test does)');
    server = await startServer({ port: 0 });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
    });
    page = await browser.newPage({ viewport: VIEWPORT, deviceScaleFactor: 1 });
    page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
    page.on('console', (m) => { if (m.type() === 'error') errors.push(`console: ${m.text()}`); });
    await page.goto(`${server.url}?seed=7`);
    await page.waitForFunction(() => (window as any).tickwheelDemo?.frames > 2);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  const snap = () => page.evaluate(() => (window as any).tickwheelDemo.snapshot() as Snapshot);
  /** A cheap fingerprint of the wheel canvas: the count of non-background pixels and a hash. */
  const pixels = () => page.evaluate(() => {
    const c = document.getElementById('wheel') as HTMLCanvasElement;
    const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    let bright = 0;
    let hash = 0;
    for (let k = 0; k < d.length; k += 4) {
      if (d[k] + d[k + 1] + d[k + 2] > 150) bright++;
      hash = (Math.imul(hash, 31) + d[k] + (d[k + 1] << 8) + (d[k + 2] << 16)) | 0;
    }
    return { bright, hash };
  });
  const nextFrames = (n = 3) => page.evaluate((n) => new Promise<void>((done) => {
    const f0 = (window as any).tickwheelDemo.frames;
    const wait = () => ((window as any).tickwheelDemo.frames >= f0 + n ? done() : requestAnimationFrame(wait));
    wait();
  }), n);

  it('serves the page and the package', async () => {
    const res = await fetch(`${server!.url}dist/index.js`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/javascript/);
    // Raw paths (fetch would normalise the dots away before sending).
    for (const path of ['/dist/../package.json', '/demo/%2e%2e/package.json', '/dist/..%2fpackage.json', '/package.json']) {
      expect(await rawStatus(server!.url, path), path).toBe(404);
    }
    const s = await snap();
    expect(s.lit).toBe(0);
    expect(s.pending).toBe(0);
    expect(errors).toEqual([]);
  });

  it('lights slots on every level when 10^4 timers are added', async () => {
    const before = await pixels();
    await page.click('#add');
    await nextFrames();
    const s = await snap();
    const after = await pixels();
    expect(s.pending).toBeGreaterThan(7000); // a sixth are level-0 timers, due within 64 ms
    expect(s.lit).toBeGreaterThan(150);
    // Levels 2..5 fill most of their slots (level 0's timers fire within 64 ms, and how much
    // of level 1 is lit depends on where its hand stands: timers beyond its turn sit in L2).
    expect(s.levels[1]).toBeGreaterThan(0);
    for (let l = 2; l < 6; l++) expect(s.levels[l]).toBeGreaterThan(40);
    expect(after.hash).not.toBe(before.hash);
    expect(after.bright).toBeGreaterThan(before.bright * 1.5);
    expect(errors).toEqual([]);
  });

  it('pauses, advances exactly, cascades, and resumes', async () => {
    await page.click('#pause');
    const p = await snap();
    expect(p.paused).toBe(true);
    await nextFrames();
    const still = await snap();
    expect(still.clock).toBe(p.clock); // time stands still

    await page.click('#advance');
    await page.waitForFunction(() => document.getElementById('state')!.textContent === 'paused');
    await nextFrames();
    const a = await snap();
    expect(a.clock).toBe(p.clock + 1000);
    expect(a.fired).toBeGreaterThan(p.fired);
    expect(a.cascades).toBeGreaterThan(p.cascades);
    expect(a.lateness[0]).toBe(0); // the "early" bin: never early
    // On a paused clock the page's slot map and the wheel's own counts agree level by level.
    expect(a.litPerLevel).toEqual(a.levels);

    await page.click('#resume');
    await page.waitForTimeout(200);
    await nextFrames();
    const r = await snap();
    expect(r.paused).toBe(false);
    expect(r.clock).toBeGreaterThan(a.clock + 50);
    expect(errors).toEqual([]);
  });

  it('saves docs/visualizer.png', async () => {
    // A busy moment: a fresh batch on top of a wheel that has been running for a while (so
    // the timeline and the lateness histogram have something to show), added just after
    // level 1 starts a new turn, so most of level 1 is ahead of its hand and lit, and the
    // level-2 slot that just cascaded still glows.
    await page.waitForTimeout(2500);
    await page.click('#add');
    await page.waitForTimeout(2500);
    await page.waitForFunction(() => (window as any).tickwheelDemo.driver.now() % 4096 < 120, null, { polling: 5, timeout: 10_000 });
    await page.click('#add');
    await page.waitForTimeout(450);
    const s = await snap();
    expect(s.lit).toBeGreaterThan(150);
    // Twice the pixels for the picture only, so the README's scaled-down copy stays sharp
    // (rendering at 2x all along would slow the page's drawing and so its timers).
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Emulation.setDeviceMetricsOverride', { ...VIEWPORT, deviceScaleFactor: 2, mobile: false });
    await nextFrames(2);
    const { data } = await cdp.send('Page.captureScreenshot', { format: 'png' });
    await cdp.send('Emulation.clearDeviceMetricsOverride');
    mkdirSync(dirname(SCREENSHOT), { recursive: true });
    writeFileSync(SCREENSHOT, Buffer.from(data, 'base64'));
    expect(existsSync(SCREENSHOT)).toBe(true);
    expect(errors).toEqual([]);
  });
});
