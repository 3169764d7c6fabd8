// berthd --web in a real browser (playwright-core driving Debian's Chromium, headless): log in
// with the token, see a container started through the API appear without a reload, read its logs
// as they are written, type in its terminal, watch its stats, browse images, networks, volumes
// and system df, stop it. A screenshot of each page goes to $BERTH_TEST_ARTIFACTS (default
// /tmp/berth-web-shots), printed at the end.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { type Browser, chromium, type Page } from 'playwright-core';
import { daemonUnavailable, repoRoot, startDaemon, type Daemon } from '../../harness/daemon.js';
import { webToken } from '../../harness/web.js';

const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));
const skip =
  daemonUnavailable() ??
  (CHROMIUM ? null : 'Chromium is not installed (scripts/setup-browser.sh installs it and prints why it could not)');
const shots = process.env.BERTH_TEST_ARTIFACTS ?? '/tmp/berth-web-shots';
const taken: string[] = [];

let d: Daemon;
let browser: Browser;
let page: Page;
let base: string;

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

async function shot(name: string): Promise<void> {
  const file = join(shots, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  taken.push(file);
}

before(async () => {
  if (skip) return;
  mkdirSync(shots, { recursive: true });
  const port = await freePort();
  d = await startDaemon({ args: ['--web', `127.0.0.1:${port}`] });
  base = `http://127.0.0.1:${port}`;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // root in a throwaway namespace: Chromium's own sandbox needs user namespaces it cannot have here
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
  page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  page.setDefaultTimeout(20_000);
});

after(async () => {
  await browser?.close();
  if (d) {
    await d.dockerode
      .getContainer('webtest')
      .remove({ force: true })
      .catch(() => {});
    await d.dockerode
      .getVolume('webvol')
      .remove()
      .catch(() => {});
    await d.stop();
  }
  if (taken.length) console.log(`dashboard screenshots:\n${taken.map((f) => `  ${f}`).join('\n')}`);
});

test('the dashboard refuses the API without the token and logs in with it', { skip: skip ?? false }, async () => {
  const token = webToken(d);
  assert.match(token, /^[0-9a-f]{64}$/);
  const anon = await fetch(`${base}/api/containers/json`);
  assert.equal(anon.status, 401);
  assert.match(d.log(), /web dashboard on http:\/\/127\.0\.0\.1:\d+\/\?token=/);
  await page.goto(`${base}/`);
  await page.waitForSelector('form.login');
  await shot('01-login');
  await page.fill('input[name=token]', token);
  await page.click('button[type=submit]');
  await page.waitForSelector('text=Containers');
  await page.waitForSelector('.live.on');
  // a marker that a reload would lose: the rest of the file never reloads the page
  await page.evaluate(() => {
    (window as unknown as { marker: number }).marker = 42;
  });
});

test('a container started through the API appears without a reload', { skip: skip ?? false }, async () => {
  await d.dockerode.createNetwork({ Name: 'webnet' });
  const c = await d.dockerode.createContainer({
    name: 'webtest',
    Image: 'busybox',
    Cmd: ['sh', '-c', 'trap "exit 0" TERM; i=0; while true; do echo tick-$i; i=$((i+1)); sleep 0.3; done'],
    ExposedPorts: { '80/tcp': {} },
    Healthcheck: { Test: ['CMD-SHELL', 'true'], Interval: 1_000_000_000, StartPeriod: 0 },
    HostConfig: { NetworkMode: 'webnet', Binds: ['webvol:/data'], PortBindings: { '80/tcp': [{ HostPort: '18080' }] } },
  });
  await c.start();
  const row = page.locator('tr[data-name="webtest"][data-state="running"]');
  await row.waitFor();
  assert.match((await row.textContent()) ?? '', /:18080->80\/tcp/);
  // the health check's first result arrives as an event: the row shows it without a reload
  await page.locator('tr[data-name="webtest"]', { hasText: '(healthy)' }).waitFor();
  await shot('02-containers');
});

test('logs arrive as they are written and can be searched', { skip: skip ?? false }, async () => {
  await page.click('tr[data-name="webtest"] a');
  await page.waitForSelector('[data-testid=logs] >> text=tick-3');
  const last = async () => {
    const lines = await page.$$eval('[data-testid=logs] > div', (els) => els.map((e) => e.textContent ?? ''));
    return Math.max(...lines.map((l) => Number(/tick-(\d+)$/.exec(l)?.[1] ?? -1)));
  };
  const n = await last();
  assert.ok(n >= 3, `last tick seen: ${n}`);
  await page.waitForFunction(
    (want) => document.querySelector('[data-testid=logs]')?.textContent?.includes(want),
    ` tick-${n + 3}`,
  );
  await shot('03-logs');
  await page.fill('input[type=search]', 'tick-1');
  const shown = await page.$$eval('[data-testid=logs] > div', (els) => els.map((e) => e.textContent ?? ''));
  assert.ok(shown.length > 0);
  for (const l of shown) assert.match(l, /tick-1/);
  await shot('04-logs-search');
});

test('the terminal runs what is typed in the container', { skip: skip ?? false }, async () => {
  await page.click('.tabs >> text=Terminal');
  await page.waitForSelector('[data-testid=terminal-status] >> text=connected');
  await page.click('[data-testid=terminal]');
  await page.keyboard.type('echo $((6*7))-web; hostname\n');
  await page.waitForFunction(() => document.querySelector('.xterm-rows')?.textContent?.includes('42-web'));
  await shot('05-terminal');
  // attach to the main process through the Engine API's websocket (spliced by the dashboard)
  await page.selectOption('[data-testid=terminal-mode]', 'attach');
  await page.waitForSelector('[data-testid=terminal-status] >> text=attach — connected');
  const ticks = () =>
    page.evaluate(() =>
      Math.max(
        -1,
        ...[...(document.querySelector('.xterm-rows')?.textContent ?? '').matchAll(/tick-(\d+)/g)].map((m) =>
          Number(m[1]),
        ),
      ),
    );
  await page.waitForFunction(() => /tick-\d+/.test(document.querySelector('.xterm-rows')?.textContent ?? ''));
  const first = await ticks();
  // live output, not just the replayed log: a later tick arrives over the same websocket
  await page.waitForFunction(
    (n) => document.querySelector('.xterm-rows')?.textContent?.includes(`tick-${n}`),
    first + 2,
  );
  await shot('05b-attach');
});

test('live CPU and memory charts draw samples', { skip: skip ?? false }, async () => {
  await page.click('.tabs >> text=Stats');
  await page.waitForSelector('[data-testid=cpu-chart] path.line[d^="M"]');
  await page.waitForFunction(() => /([3-9]|\d\d+) samples/.test(document.body.textContent ?? ''));
  await shot('06-stats');
});

test('images with layers, networks with addresses, volumes with users, system df', {
  skip: skip ?? false,
}, async () => {
  await page.click('header >> text=Images');
  await page.click('td >> text=busybox:latest');
  await page.waitForSelector('[data-testid=layers] tbody tr');
  await shot('07-images');
  await page.click('header >> text=Networks');
  const row = page.locator('[data-network="webnet"] tr', { hasText: 'webtest' });
  await row.waitFor();
  assert.match((await row.textContent()) ?? '', /\d+\.\d+\.\d+\.\d+\/\d+/);
  await shot('08-networks');
  await page.click('header >> text=Volumes');
  await page.locator('tr[data-volume="webvol"]', { hasText: 'webtest' }).waitFor();
  await shot('09-volumes');
  await page.click('header >> text=System');
  await page.locator('[data-testid=system-df] tr', { hasText: 'Local Volumes' }).waitFor();
  await shot('10-system');
});

test('stop from the containers page', { skip: skip ?? false }, async () => {
  await page.click('header >> text=Containers');
  await page.click('tr[data-name="webtest"] >> text=Stop');
  await page.waitForSelector('tr[data-name="webtest"][data-state="exited"]');
  const info = await d.dockerode.getContainer('webtest').inspect();
  assert.equal(info.State.Running, false);
  await shot('11-stopped');
  assert.equal(await page.evaluate(() => (window as unknown as { marker?: number }).marker), 42, 'never reloaded');
  assert.ok(existsSync(join(repoRoot, 'web/dist/index.html')));
});
