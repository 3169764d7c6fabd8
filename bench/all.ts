// `npm run bench`: every benchmark in turn, each against REF_DOCKER_HOST too when it is set.
// BENCH_ONLY=<name> runs one: engine (issue 3's budget), cp (5), network (4), registry (7), images (6),
// compose (10), build (8), logs and stats (9: log write/read/tail, the daemon's CPU while `docker stats`
// streams 50 containers).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));
const suites: Array<[string, string, string[]]> = [
  ['engine', path.join(here, 'bench.js'), []],
  ['cp', path.join(here, 'cp-bench.js'), []],
  ['network', path.join(here, 'net-bench.js'), []],
  ['images', path.join(here, 'images-bench.js'), []],
  ['build', path.join(here, 'build-bench.js'), []],
  ['compose', path.join(here, 'compose-bench.js'), []],
  ['stats', path.join(here, 'stats-bench.js'), []],
  ['logs', path.join(here, 'logs-bench.js'), []],
  [
    'registry',
    path.join(here, '..', 'test', 'integration', 'registry', 'bench.js'),
    [process.env.REGISTRY_BENCH_MB ?? '300', process.env.REGISTRY_BENCH_PARALLEL ?? '50'],
  ],
];
const only = process.env.BENCH_ONLY;
let failed = 0;
for (const [name, file, args] of suites) {
  if (only && only !== name) continue;
  process.stdout.write(`\n===== ${name} =====\n`);
  const r = spawnSync(process.execPath, [file, ...args], { stdio: 'inherit', env: process.env });
  if (r.status !== 0) {
    failed++;
    process.stdout.write(`(${name} benchmark exited with ${r.status ?? r.signal})\n`);
  }
}
process.exit(failed ? 1 : 0);
