// Credential helpers (config.json credsStore / credHelpers) as the docker CLI runs them: berth
// login stores through `docker-credential-<name>` and leaves an empty auths entry, berth push/pull
// send what the helper holds, docker reads what berth stored and the other way round, logout
// erases. The helper is a small script of this test's (a file per server in its own directory),
// the registry Debian's docker-registry with htpasswd, so wrong or missing credentials fail.
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import bcrypt from 'bcryptjs';
import { berthCli, daemonUnavailable, startDaemon, type Daemon } from '../../harness/daemon.js';
import { DOCKER_REGISTRY, startDockerRegistry, type TestRegistry } from '../../harness/registry.js';

const skip = daemonUnavailable() ?? (existsSync(DOCKER_REGISTRY) ? null : 'docker-registry is not installed');
const work = mkdtempSync(join(tmpdir(), 'berth-creds-'));
let d: Daemon;
let reg: TestRegistry | undefined;
before(async () => {
  if (skip) return;
  d = await startDaemon();
  reg = await startDockerRegistry(work, { htpasswd: `me:${bcrypt.hashSync('secret', 6)}` });
});
after(async () => {
  reg?.stop();
  rmSync(work, { recursive: true, force: true });
  if (d) assert.deepEqual((await d.stop()).leaks, []);
});

const HELPER = `#!/bin/sh
# docker-credential-helpers' protocol over one file per server in $BERTH_CRED_DIR
dir="$BERTH_CRED_DIR"; mkdir -p "$dir"
case "$1" in
store) body=$(cat); srv=$(printf %s "$body" | sed 's/.*"ServerURL":"\\([^"]*\\)".*/\\1/')
  printf %s "$body" > "$dir/$(printf %s "$srv" | tr '/:' '__')" ;;
get) srv=$(cat); f="$dir/$(printf %s "$srv" | tr '/:' '__')"
  if [ -f "$f" ]; then cat "$f"; else echo "credentials not found in native keychain"; exit 1; fi ;;
erase) srv=$(cat); rm -f "$dir/$(printf %s "$srv" | tr '/:' '__')" ;;
*) exit 2 ;;
esac
`;

/** A config dir naming the helper, and the helper's own store directory. */
function setup(name: string): { env: Record<string, string>; store: string; cfg: string } {
  const bin = join(work, 'bin');
  mkdirSync(bin, { recursive: true });
  writeFileSync(join(bin, 'docker-credential-berthtest'), HELPER);
  chmodSync(join(bin, 'docker-credential-berthtest'), 0o755);
  const cfg = join(work, `cfg-${name}`);
  mkdirSync(cfg, { recursive: true });
  writeFileSync(join(cfg, 'config.json'), JSON.stringify({ credsStore: 'berthtest' }));
  const store = join(work, `store-${name}`);
  return { cfg, store, env: { DOCKER_CONFIG: cfg, BERTH_CRED_DIR: store, PATH: `${bin}:${process.env.PATH ?? ''}` } };
}

const runBerth = berthCli(() => d);
const berth = (args: string[], env: Record<string, string>, input?: string) => runBerth(args, { env, input });
const docker = (args: string[], env: Record<string, string>, input?: string) => d.docker(args, { env, input });

test('login through a credential helper, as the docker CLI; push with what it holds; logout erases', {
  skip: skip ?? false,
}, async () => {
  const R = reg!.addr;
  const b = setup('b');
  const k = setup('k');
  const lb = await berth(['login', '-u', 'me', '--password-stdin', R], b.env, 'secret\n');
  const lk = await docker(['login', '-u', 'me', '--password-stdin', R], k.env, 'secret\n');
  assert.equal(lb.code, 0, lb.stderr);
  assert.deepEqual([lb.code, lb.stdout], [lk.code, lk.stdout]);
  assert.doesNotMatch(lb.stderr, /unencrypted/, 'a helper holds the password: no plain-text warning');
  // the same files as the docker CLI writes: config.json with an empty entry, the secret in the helper
  assert.equal(readFileSync(join(b.cfg, 'config.json'), 'utf8'), readFileSync(join(k.cfg, 'config.json'), 'utf8'));
  assert.deepEqual(JSON.parse(readFileSync(join(b.cfg, 'config.json'), 'utf8')).auths, { [R]: {} });
  const key = R.replace(/[/:]/g, '_');
  assert.equal(readFileSync(join(b.store, key), 'utf8'), readFileSync(join(k.store, key), 'utf8'));
  assert.deepEqual(JSON.parse(readFileSync(join(b.store, key), 'utf8')), {
    ServerURL: R,
    Username: 'me',
    Secret: 'secret',
  });
  // docker reads what berth stored (and berth what docker stored)
  const reuseK = await docker(['login', R], b.env);
  assert.equal(reuseK.code, 0, reuseK.stderr);
  assert.match(reuseK.stderr, /Authenticating with existing credentials\.\.\. \[Username: me\]/);
  const reuseB = await berth(['login', R], k.env);
  assert.equal(reuseB.code, 0, reuseB.stderr);
  assert.match(reuseB.stderr, /Authenticating with existing credentials\.\.\. \[Username: me\]/);
  // push and pull send the helper's credentials (the registry refuses anonymous pushes)
  assert.equal((await berth(['tag', 'busybox', `${R}/me/bb:1`], b.env)).code, 0);
  const anon = await berth(['push', `${R}/me/bb:1`], { DOCKER_CONFIG: join(work, 'empty') });
  assert.notEqual(anon.code, 0, 'anonymous push must be refused by the htpasswd registry');
  const push = await berth(['push', `${R}/me/bb:1`], b.env);
  assert.equal(push.code, 0, push.stderr);
  assert.equal((await berth(['rmi', `${R}/me/bb:1`], b.env)).code, 0);
  const pull = await berth(['pull', `${R}/me/bb:1`], b.env);
  assert.equal(pull.code, 0, pull.stderr);
  // logout erases from the helper and the config
  const out = await berth(['logout', R], b.env);
  assert.equal(out.stdout, `Removing login credentials for ${R}\n`);
  assert.equal(existsSync(join(b.store, key)), false);
  assert.deepEqual(JSON.parse(readFileSync(join(b.cfg, 'config.json'), 'utf8')).auths, {});
  // a helper that cannot be run: docker's error, exit 1, nothing written
  writeFileSync(join(b.cfg, 'config.json'), JSON.stringify({ credsStore: 'nosuchhelper' }));
  const [mb, mk] = await Promise.all([
    berth(['login', '-u', 'me', '--password-stdin', R], b.env, 'secret\n'),
    docker(['login', '-u', 'me', '--password-stdin', R], b.env, 'secret\n'),
  ]);
  assert.equal(mb.code, mk.code);
  assert.match(
    mb.stderr,
    /Error saving credentials: error storing credentials - err: exec: "docker-credential-nosuchhelper"/,
  );
  assert.deepEqual(JSON.parse(readFileSync(join(b.cfg, 'config.json'), 'utf8')), { credsStore: 'nosuchhelper' });
});
