// Load a Compose project: find the files, read .env, parse YAML (the `yaml` package), interpolate,
// resolve `extends`, merge multiple -f files, normalise short syntaxes, apply profiles.
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, resolve } from 'node:path';
import { homedir } from 'node:os';
import { parse } from 'yaml';
import { parseDotEnv } from './dotenv.js';
import { interpolateTree, type Env } from './interpolate.js';
import { shlexSplit } from './shlex.js';
import { ComposeError } from './compose-error.js';
import { isObj, type Obj, validate } from './validate.js';
import type {
  BuildConfig,
  DependsCondition,
  Project,
  ResourceConfig,
  Service,
  ServiceNetwork,
  VolumeMount,
} from './types.js';

export { ComposeError } from './compose-error.js';
export { SERVICE_KEYS, SERVICE_TYPES, type YamlType } from './validate.js';

export interface LoadOptions {
  files?: string[];
  projectName?: string;
  projectDir?: string;
  envFile?: string;
  profiles?: string[];
  /** Services named on the command line are enabled whatever their profiles. */
  services?: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

const DEFAULT_FILES = ['compose.yaml', 'compose.yml', 'docker-compose.yml', 'docker-compose.yaml'];
const OVERRIDES = [
  'compose.override.yaml',
  'compose.override.yml',
  'docker-compose.override.yml',
  'docker-compose.override.yaml',
];

/** Files to load: -f, else COMPOSE_FILE, else the default names in cwd or a parent, plus an override file. */
export function findFiles(o: LoadOptions): string[] {
  const cwd = o.cwd ?? process.cwd();
  const env = o.env ?? process.env;
  if (o.files?.length) return o.files.map((f) => (f === '-' ? f : resolve(cwd, f)));
  if (env.COMPOSE_FILE) return env.COMPOSE_FILE.split(env.COMPOSE_PATH_SEPARATOR ?? ':').map((f) => resolve(cwd, f));
  for (let dir = cwd; ; dir = dirname(dir)) {
    const f = DEFAULT_FILES.find((n) => existsSync(resolve(dir, n)));
    if (f) {
      const ov = OVERRIDES.find((n) => existsSync(resolve(dir, n)));
      return ov ? [resolve(dir, f), resolve(dir, ov)] : [resolve(dir, f)];
    }
    if (dirname(dir) === dir) break;
  }
  throw new ComposeError('no configuration file provided: not found');
}

/** Compose's project-name rule: lowercase letters, digits, dashes and underscores. */
export function normalizeProjectName(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9_-]/g, '');
}

function readYaml(file: string): Obj {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ComposeError(
      `open ${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : (e as Error).message}`,
    );
  }
  let doc: unknown;
  try {
    doc = parse(text, { merge: true });
  } catch (e) {
    throw new ComposeError(`yaml: ${file}: ${(e as Error).message.split('\n')[0]}`);
  }
  if (doc == null) return {};
  if (!isObj(doc)) throw new ComposeError(`${file}: top-level object must be a mapping`);
  return doc;
}

/** `KEY=V` lists and `{KEY: V}` maps both become maps; a bare KEY/null takes `lookup[KEY]` or is dropped. */
function toMap(v: unknown, where: string, lookup?: Env): Record<string, string> {
  const out: Record<string, string> = {};
  if (v == null) return out;
  if (Array.isArray(v)) {
    for (const x of v) {
      const s = String(x);
      const i = s.indexOf('=');
      if (i >= 0) out[s.slice(0, i)] = s.slice(i + 1);
      else if (lookup) {
        if (lookup[s] !== undefined) out[s] = lookup[s]!;
      } else out[s] = '';
    }
    return out;
  }
  if (!isObj(v)) throw new ComposeError(`${where} must be a mapping or a list`);
  for (const [k, x] of Object.entries(v)) {
    if (x == null) {
      if (lookup) {
        if (lookup[k] !== undefined) out[k] = lookup[k]!;
      } else out[k] = '';
    } else out[k] = typeof x === 'object' ? JSON.stringify(x) : String(x);
  }
  return out;
}

/** Lists that merge as maps are converted before merging so override files can change one entry. */
function preNormalize(s: Obj): Obj {
  const o = { ...s };
  for (const k of ['environment', 'labels']) if (Array.isArray(o[k])) o[k] = toMap(o[k], k);
  if (Array.isArray(o.depends_on))
    o.depends_on = Object.fromEntries((o.depends_on as string[]).map((d) => [d, { condition: 'service_started' }]));
  if (Array.isArray(o.networks)) o.networks = Object.fromEntries((o.networks as string[]).map((n) => [n, null]));
  if (isObj(o.build) && Array.isArray(o.build.args)) o.build = { ...o.build, args: toMap(o.build.args, 'build.args') };
  if (typeof o.build === 'string') o.build = { context: o.build };
  if (typeof o.env_file === 'string') o.env_file = [o.env_file];
  return o;
}

const APPEND = new Set([
  'ports',
  'expose',
  'dns',
  'dns_search',
  'cap_add',
  'cap_drop',
  'env_file',
  'profiles',
  'extra_hosts',
  'devices',
  'security_opt',
  'external_links',
  'links',
  'tmpfs',
]);
const volTarget = (v: unknown): string => (typeof v === 'string' ? (v.split(':')[1] ?? v) : String((v as Obj)?.target));

/** Compose merge rules: maps merge recursively, some lists append, volumes merge by target, the rest is replaced. */
export function mergeService(base: Obj, over: Obj): Obj {
  const out: Obj = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    if (k === 'volumes' && Array.isArray(b) && Array.isArray(v)) {
      const byT = new Map(b.map((x) => [volTarget(x), x]));
      for (const x of v) byT.set(volTarget(x), x);
      out[k] = [...byT.values()];
    } else if (APPEND.has(k) && Array.isArray(b) && Array.isArray(v))
      out[k] = [...new Set([...b, ...v].map((x) => JSON.stringify(x)))].map((x) => JSON.parse(x));
    else if (isObj(b) && isObj(v) && k !== 'command' && k !== 'entrypoint') out[k] = mergeService(b, v);
    else out[k] = v;
  }
  return out;
}

function resolveExtends(services: Obj, name: string, file: string, env: Env, seen: string[] = []): Obj {
  const s = preNormalize((services[name] as Obj) ?? {});
  if (!isObj(s.extends) && typeof s.extends !== 'string') return s;
  const ext = typeof s.extends === 'string' ? { service: s.extends } : (s.extends as Obj);
  const key = `${ext.file ?? file}#${ext.service}`;
  if (seen.includes(key))
    throw new ComposeError(`${file}: services.${name}.extends: circular reference with ${String(ext.service)}`);
  let base: Obj;
  if (ext.file) {
    const f = resolve(dirname(file), String(ext.file));
    const doc = interpolateTree(readYaml(f), env, f) as Obj;
    validate(doc, f);
    const svcs = (doc.services as Obj) ?? {};
    if (!svcs[String(ext.service)])
      throw new ComposeError(`${f}: cannot extend service "${String(ext.service)}": service not found`);
    base = resolveExtends(svcs, String(ext.service), f, env, [...seen, key]);
  } else {
    if (!services[String(ext.service)])
      throw new ComposeError(`${file}: services.${name}.extends: service "${String(ext.service)}" not found`);
    base = resolveExtends(services, String(ext.service), file, env, [...seen, key]);
  }
  const rest = { ...s };
  delete rest.extends;
  delete base.depends_on; // Compose: depends_on is never inherited
  return mergeService(base, rest);
}

function expandHome(p: string): string {
  return p === '~' || p.startsWith('~/') ? homedir() + p.slice(1) : p;
}

function parseVolume(v: unknown, where: string, dir: string, declared: Obj): VolumeMount {
  let m: VolumeMount;
  if (typeof v === 'string') {
    const parts = v.split(':');
    if (parts.length === 1) m = { type: 'volume', target: parts[0], readOnly: false };
    else {
      const [src, target, mode = ''] = parts;
      const ro = mode.split(',').includes('ro');
      if (src.startsWith('.') || src.startsWith('/') || src.startsWith('~'))
        m = { type: 'bind', source: resolve(dir, expandHome(src)), target, readOnly: ro };
      else m = { type: 'volume', source: src, target, readOnly: ro };
    }
  } else if (isObj(v)) {
    const type = String(v.type ?? 'volume') as VolumeMount['type'];
    let source = v.source === undefined ? undefined : String(v.source);
    if (type === 'bind' && source) source = resolve(dir, expandHome(source));
    m = { type, source, target: String(v.target), readOnly: v.read_only === true };
  } else throw new ComposeError(`${where}: invalid volume ${JSON.stringify(v)}`);
  if (!m.target || !isAbsolute(m.target))
    throw new ComposeError(`${where}: invalid mount target, must be an absolute path: ${m.target}`);
  if (m.type === 'volume' && m.source && !Object.hasOwn(declared, m.source))
    throw new ComposeError(`${where}: service refers to undefined volume ${m.source}: invalid compose project`);
  return m;
}

function cmdList(v: unknown, where: string): string[] | undefined {
  if (v == null) return undefined;
  if (typeof v === 'string') return shlexSplit(v);
  if (Array.isArray(v)) return v.map(String);
  throw new ComposeError(`${where} must be a string or a list`);
}

function normalizeService(
  name: string,
  s: Obj,
  p: { dir: string; env: Env; volumes: Obj; networks: Obj; file: string },
): Service {
  const where = `${p.file}: services.${name}`;
  const env: Record<string, string> = {};
  for (const f of (s.env_file as unknown[] | undefined) ?? []) {
    const path = resolve(p.dir, String(f)); // a list item may be any scalar (env_file: [0])
    if (!existsSync(path)) throw new ComposeError(`${where}.env_file: Couldn't find env file: ${path}`);
    Object.assign(env, parseDotEnv(readFileSync(path, 'utf8'), p.env));
  }
  Object.assign(env, toMap(s.environment, `${where}.environment`, p.env));
  let build: BuildConfig | undefined;
  if (isObj(s.build)) {
    build = {
      context: resolve(p.dir, String(s.build.context ?? '.')),
      dockerfile: s.build.dockerfile === undefined ? undefined : String(s.build.dockerfile),
      args: toMap(s.build.args, `${where}.build.args`, p.env),
      target: s.build.target === undefined ? undefined : String(s.build.target),
      labels: toMap(s.build.labels, `${where}.build.labels`),
    };
  }
  if (!s.image && !build)
    throw new ComposeError(
      `${where}: service has neither an image nor a build context specified: invalid compose project`,
    );
  const networks: Record<string, ServiceNetwork> = {};
  if (s.network_mode === undefined) {
    const nets = isObj(s.networks) ? s.networks : { default: null };
    for (const [n, c] of Object.entries(nets)) {
      if (!Object.hasOwn(p.networks, n) && n !== 'default')
        throw new ComposeError(`${where}: service refers to undefined network ${n}: invalid compose project`);
      const cfg = isObj(c) ? c : {};
      networks[n] = {
        aliases: Array.isArray(cfg.aliases) ? cfg.aliases.map(String) : [],
        ipv4_address: cfg.ipv4_address === undefined ? undefined : String(cfg.ipv4_address),
      };
    }
  }
  const depends: Service['depends_on'] = {};
  for (const [d, c] of Object.entries((s.depends_on as Obj) ?? {})) {
    const cond = String((isObj(c) && c.condition) || 'service_started') as DependsCondition;
    if (!['service_started', 'service_healthy', 'service_completed_successfully'].includes(cond))
      throw new ComposeError(`${where}.depends_on.${d}.condition: invalid condition ${cond}`);
    depends[d] = { condition: cond };
  }
  const deploy = isObj(s.deploy) ? s.deploy : {};
  const replicas = Number(s.scale ?? deploy.replicas ?? 1);
  if (!Number.isInteger(replicas) || replicas < 0)
    throw new ComposeError(`${where}.scale: must be a non-negative integer`);
  return {
    name,
    image: s.image === undefined ? undefined : String(s.image),
    build,
    command: cmdList(s.command, `${where}.command`),
    entrypoint: cmdList(s.entrypoint, `${where}.entrypoint`),
    environment: env,
    labels: toMap(s.labels, `${where}.labels`),
    ports: ((s.ports as unknown[]) ?? []).map((x) => portSpec(x, `${where}.ports`)),
    volumes: ((s.volumes as unknown[]) ?? []).map((v) => parseVolume(v, `${where}.volumes`, p.dir, p.volumes)),
    networks,
    depends_on: depends,
    profiles: ((s.profiles as unknown[]) ?? []).map(String),
    replicas,
    raw: s,
  };
}

function portSpec(v: unknown, where: string): string {
  if (typeof v === 'number') return String(v);
  if (typeof v === 'string') return v;
  if (isObj(v)) {
    const host = v.published === undefined ? '' : String(v.published);
    const ip = v.host_ip ? `${String(v.host_ip)}:` : '';
    return `${ip}${host ? host + ':' : ip ? ':' : ''}${String(v.target)}/${String(v.protocol ?? 'tcp')}`;
  }
  throw new ComposeError(`${where}: invalid port ${JSON.stringify(v)}`);
}

function resources(kind: 'networks' | 'volumes', m: Obj, project: string): Record<string, ResourceConfig> {
  const out: Record<string, ResourceConfig> = {};
  for (const [k, v] of Object.entries(m)) {
    const r = isObj(v) ? v : {};
    const ext = r.external;
    const external = ext === true || isObj(ext);
    const extName = isObj(ext) && ext.name ? String(ext.name) : undefined;
    out[k] = {
      name: extName ?? (r.name ? String(r.name) : external ? k : `${project}_${k}`),
      external,
      driver: r.driver === undefined ? undefined : String(r.driver),
      driver_opts: r.driver_opts ? toMap(r.driver_opts, `${kind}.${k}.driver_opts`) : undefined,
      labels: toMap(r.labels, `${kind}.${k}.labels`),
      raw: r,
    };
  }
  return out;
}

export function loadProject(o: LoadOptions = {}): Project {
  const cwd = o.cwd ?? process.cwd();
  const procEnv = o.env ?? process.env;
  const files = findFiles(o);
  if (files.includes('-')) throw new ComposeError('reading a compose file from stdin is not supported');
  const workingDir = o.projectDir ? resolve(cwd, o.projectDir) : dirname(files[0]);
  const envPath = o.envFile ? resolve(cwd, o.envFile) : resolve(workingDir, '.env');
  const dotenv = existsSync(envPath) ? parseDotEnv(readFileSync(envPath, 'utf8'), procEnv) : {};
  if (o.envFile && !existsSync(envPath)) throw new ComposeError(`Couldn't find env file: ${envPath}`);
  const env: Env = { ...dotenv, ...procEnv };

  let services: Obj = {};
  let networks: Obj = {};
  let volumes: Obj = {};
  let name: string | undefined;
  const order: string[] = [];
  for (const file of files) {
    const doc = interpolateTree(readYaml(file), env, file) as Obj;
    validate(doc, file);
    if (doc.name) name = String(doc.name);
    const svcs = (doc.services as Obj) ?? {};
    for (const n of Object.keys(svcs)) {
      const s = resolveExtends(svcs, n, file, env);
      if (!order.includes(n)) order.push(n);
      services[n] = services[n] ? mergeService(services[n] as Obj, s) : s;
    }
    networks = mergeService(networks, (doc.networks as Obj) ?? {});
    volumes = mergeService(volumes, (doc.volumes as Obj) ?? {});
  }
  services = Object.fromEntries(order.map((n) => [n, services[n]]));

  const projectName = normalizeProjectName(
    o.projectName || procEnv.COMPOSE_PROJECT_NAME || name || basename(workingDir),
  );
  if (!projectName) throw new ComposeError('project name must not be empty');
  const nets = resources('networks', networks, projectName);
  const needDefault = Object.values(services).some((s) => {
    const so = s as Obj;
    return so.network_mode === undefined && (!isObj(so.networks) || 'default' in so.networks);
  });
  if (needDefault && !nets.default)
    nets.default = { name: `${projectName}_default`, external: false, labels: {}, raw: {} };
  const vols = resources('volumes', volumes, projectName);

  const profiles = new Set([
    ...(o.profiles ?? []),
    ...(procEnv.COMPOSE_PROFILES ? procEnv.COMPOSE_PROFILES.split(',') : []),
  ]);
  const all = order.map((n) =>
    normalizeService(n, services[n] as Obj, { dir: workingDir, env, volumes, networks: nets, file: files[0] }),
  );
  const enabled = (s: Service) =>
    s.profiles.length === 0 ||
    s.profiles.some((p) => profiles.has(p) || p === '*') ||
    (o.services ?? []).includes(s.name);
  const on = all.filter(enabled);
  for (const s of on)
    for (const d of Object.keys(s.depends_on))
      if (!all.some((x) => x.name === d))
        throw new ComposeError(`service "${s.name}" depends on undefined service ${d}: invalid compose project`);
  return {
    name: projectName,
    workingDir,
    configFiles: files,
    services: on,
    disabled: all.filter((s) => !enabled(s)),
    networks: nets,
    volumes: vols,
    model: { name: projectName, services, networks, volumes },
  };
}
