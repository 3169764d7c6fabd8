// The compose-spec schema's checks the loader makes before it walks a file: known keys, and the
// YAML types of the places it reads, with compose-go's messages.
import { ComposeError } from './compose-error.js';

export type Obj = Record<string, unknown>;
export const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);

const TOP_KEYS = new Set(['version', 'name', 'services', 'networks', 'volumes', 'configs', 'secrets', 'include']);
export const SERVICE_KEYS = new Set([
  'build',
  'cap_add',
  'cap_drop',
  'cgroup_parent',
  'command',
  'container_name',
  'cpu_count',
  'cpu_percent',
  'cpu_shares',
  'cpu_quota',
  'cpu_period',
  'cpus',
  'cpuset',
  'depends_on',
  'deploy',
  'devices',
  'dns',
  'dns_search',
  'dns_opt',
  'domainname',
  'entrypoint',
  'env_file',
  'environment',
  'expose',
  'extends',
  'external_links',
  'extra_hosts',
  'group_add',
  'healthcheck',
  'hostname',
  'image',
  'init',
  'ipc',
  'isolation',
  'labels',
  'links',
  'logging',
  'mac_address',
  'mem_limit',
  'mem_reservation',
  'mem_swappiness',
  'memswap_limit',
  'network_mode',
  'networks',
  'oom_kill_disable',
  'oom_score_adj',
  'pid',
  'pids_limit',
  'platform',
  'ports',
  'privileged',
  'profiles',
  'pull_policy',
  'read_only',
  'restart',
  'scale',
  'security_opt',
  'shm_size',
  'stdin_open',
  'stop_grace_period',
  'stop_signal',
  'sysctls',
  'tmpfs',
  'tty',
  'ulimits',
  'user',
  'userns_mode',
  'volumes',
  'volumes_from',
  'working_dir',
  'configs',
  'secrets',
  'runtime',
  'storage_opt',
  'attach',
]);
const RESOURCE_KEYS = new Set([
  'name',
  'external',
  'driver',
  'driver_opts',
  'labels',
  'ipam',
  'internal',
  'attachable',
  'enable_ipv6',
]);

export type YamlType = 'string' | 'number' | 'boolean' | 'null' | 'list' | 'mapping';
const yamlType = (v: unknown): YamlType =>
  v === null || v === undefined
    ? 'null'
    : Array.isArray(v)
      ? 'list'
      : typeof v === 'object'
        ? 'mapping'
        : (typeof v as 'string' | 'number' | 'boolean');

const LIST: YamlType[] = ['list'];
const LIST_OR_DICT: YamlType[] = ['mapping', 'list'];
const STRING_OR_LIST: YamlType[] = ['string', 'list'];
/** The compose-spec schema's container types for the service keys the loader walks into (scalars
 *  are read with String()); a wrong type was a TypeError deep in the loader before. */
export const SERVICE_TYPES: Record<string, YamlType[]> = {
  build: ['string', 'mapping'],
  cap_add: LIST,
  cap_drop: LIST,
  command: ['null', 'string', 'list'],
  configs: LIST,
  deploy: ['null', 'mapping'],
  depends_on: LIST_OR_DICT,
  devices: LIST,
  dns: STRING_OR_LIST,
  dns_opt: LIST,
  dns_search: STRING_OR_LIST,
  entrypoint: ['null', 'string', 'list'],
  env_file: STRING_OR_LIST,
  environment: LIST_OR_DICT,
  expose: LIST,
  extends: ['string', 'mapping'],
  external_links: LIST,
  extra_hosts: LIST_OR_DICT,
  group_add: LIST,
  healthcheck: ['mapping'],
  labels: LIST_OR_DICT,
  links: LIST,
  logging: ['mapping'],
  networks: LIST_OR_DICT,
  ports: LIST,
  profiles: LIST,
  secrets: LIST,
  security_opt: LIST,
  storage_opt: ['mapping'],
  sysctls: LIST_OR_DICT,
  tmpfs: STRING_OR_LIST,
  ulimits: ['mapping'],
  volumes: LIST,
  volumes_from: LIST,
};
/** Nested places of the same kind: `services.<name>.<key>.<sub>`. */
const NESTED_TYPES: Record<string, Record<string, YamlType[]>> = {
  build: { args: LIST_OR_DICT, labels: LIST_OR_DICT, context: ['string'] },
  healthcheck: { test: STRING_OR_LIST },
  logging: { options: ['null', 'mapping'] },
  deploy: { resources: ['null', 'mapping'] },
  extends: { service: ['string'], file: ['string'] },
};

/** compose-go's humanReadableType list: "a string or list". */
const expected = (ts: YamlType[]) =>
  ts.length === 1 ? ts[0] : `${ts.slice(0, -1).join(', ')} or ${ts[ts.length - 1]}`;

function checkType(v: unknown, want: YamlType[], path: string, file: string): void {
  if (!want.includes(yamlType(v)))
    throw new ComposeError(`validating ${file}: ${path} must be a ${expected(want.filter((t) => t !== 'null'))}`);
}

function validateService(name: string, s: Obj, file: string): void {
  for (const [k, v] of Object.entries(s)) {
    if (!SERVICE_KEYS.has(k) && !k.startsWith('x-'))
      throw new ComposeError(`validating ${file}: services.${name} additional properties '${k}' not allowed`);
    const want = SERVICE_TYPES[k];
    if (want) checkType(v, want, `services.${name}.${k}`, file);
    const nested = NESTED_TYPES[k];
    if (nested && isObj(v))
      for (const [sub, t] of Object.entries(nested))
        if (v[sub] !== undefined) checkType(v[sub], t, `services.${name}.${k}.${sub}`, file);
  }
  const items = (k: string, want: YamlType[]) => {
    if (Array.isArray(s[k]))
      (s[k] as unknown[]).forEach((x, i) => checkType(x, want, `services.${name}.${k}.${i}`, file));
  };
  items('ports', ['string', 'number', 'mapping']);
  items('volumes', ['string', 'mapping']);
  for (const k of [
    'cap_add',
    'cap_drop',
    'depends_on',
    'dns',
    'dns_search',
    'env_file',
    'expose',
    'links',
    'networks',
    'profiles',
    'security_opt',
    'tmpfs',
    'volumes_from',
    'devices',
    'external_links',
    'group_add',
  ])
    items(k, ['string', 'number']);
  if (isObj(s.depends_on))
    for (const [d, c] of Object.entries(s.depends_on))
      checkType(c, ['null', 'mapping'], `services.${name}.depends_on.${d}`, file);
  if (isObj(s.networks))
    for (const [n, c] of Object.entries(s.networks)) {
      checkType(c, ['null', 'mapping'], `services.${name}.networks.${n}`, file);
      if (isObj(c) && c.aliases !== undefined)
        checkType(c.aliases, LIST, `services.${name}.networks.${n}.aliases`, file);
    }
  if (isObj(s.ulimits))
    for (const [u, v] of Object.entries(s.ulimits))
      checkType(v, ['number', 'string', 'mapping'], `services.${name}.ulimits.${u}`, file);
  if (isObj(s.deploy) && isObj(s.deploy.resources) && s.deploy.resources.limits !== undefined)
    checkType(s.deploy.resources.limits, ['null', 'mapping'], `services.${name}.deploy.resources.limits`, file);
}

/** Throws a ComposeError naming `file` and the first place that breaks the schema. */
export function validate(doc: Obj, file: string): void {
  for (const k of Object.keys(doc))
    if (!TOP_KEYS.has(k) && !k.startsWith('x-'))
      throw new ComposeError(`validating ${file}: additional properties '${k}' not allowed`);
  if (doc.services !== undefined && !isObj(doc.services))
    throw new ComposeError(`validating ${file}: services must be a mapping`);
  for (const [name, s] of Object.entries((doc.services as Obj) ?? {})) {
    if (s === null) continue;
    if (!isObj(s)) throw new ComposeError(`validating ${file}: services.${name} must be a mapping`);
    validateService(name, s, file);
  }
  for (const kind of ['networks', 'volumes']) {
    for (const [name, r] of Object.entries((doc[kind] as Obj) ?? {})) {
      if (r == null) continue;
      if (!isObj(r)) throw new ComposeError(`validating ${file}: ${kind}.${name} must be a mapping`);
      for (const k of Object.keys(r))
        if (!RESOURCE_KEYS.has(k) && !k.startsWith('x-'))
          throw new ComposeError(`validating ${file}: ${kind}.${name} additional properties '${k}' not allowed`);
      if (r.labels !== undefined) checkType(r.labels, LIST_OR_DICT, `${kind}.${name}.labels`, file);
      if (r.driver_opts !== undefined)
        checkType(r.driver_opts, ['null', 'mapping'], `${kind}.${name}.driver_opts`, file);
    }
  }
}
