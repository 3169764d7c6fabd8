// version and info.
import { API_VERSION } from '../../client/client.js';
import type { Command, CliContext } from '../command.js';
import { get } from '../flags/parser.js';
import { compile } from '../format/template.js';
import { withGoNames } from '../format/go-values.js';
import { bytesSize } from '../format/units.js';
import type { VersionResponse } from '../../client/types.js';
import { goArch } from '../../util/go-arch.js';
import { flag } from './common.js';

export const CLIENT_VERSION = '28.2.2-berth';

function clientInfo() {
  return {
    Platform: { Name: 'berth' },
    Version: CLIENT_VERSION,
    ApiVersion: API_VERSION,
    DefaultAPIVersion: API_VERSION,
    GitCommit: 'berth',
    GoVersion: `node${process.versions.node}`,
    Os: process.platform,
    Arch: goArch(),
    BuildTime: '',
    Context: 'default',
  };
}

function pad(label: string, w: number): string {
  return (label + ':').padEnd(w);
}

export function renderVersion(client: ReturnType<typeof clientInfo>, server: VersionResponse | null): string {
  let s = 'Client:\n';
  s += ` ${pad('Version', 18)}${client.Version}\n ${pad('API version', 18)}${client.ApiVersion}\n`;
  s += ` ${pad('Go version', 18)}${client.GoVersion}\n ${pad('Git commit', 18)}${client.GitCommit}\n`;
  s += ` ${pad('Built', 18)}${client.BuildTime}\n ${pad('OS/Arch', 18)}${client.Os}/${client.Arch}\n ${pad('Context', 18)}${client.Context}\n`;
  if (!server) return s;
  s += `\nServer:${server.Platform?.Name ? ' ' + server.Platform.Name : ''}\n`;
  const comps = server.Components?.length
    ? server.Components
    : [{ Name: 'Engine', Version: server.Version, Details: {} as Record<string, string> }];
  for (const c of comps) {
    s += ` ${c.Name}:\n  ${pad('Version', 17)}${c.Version}\n`;
    if (c.Name === 'Engine') {
      s += `  ${pad('API version', 17)}${server.ApiVersion}${server.MinAPIVersion ? ` (minimum version ${server.MinAPIVersion})` : ''}\n`;
      s += `  ${pad('Go version', 17)}${server.GoVersion}\n  ${pad('Git commit', 17)}${server.GitCommit}\n`;
      s += `  ${pad('Built', 17)}${server.BuildTime ?? ''}\n  ${pad('OS/Arch', 17)}${server.Os}/${server.Arch}\n`;
      s += `  ${pad('Experimental', 17)}${server.Experimental ?? false}\n`;
    } else for (const [k, v] of Object.entries(c.Details ?? {})) s += `  ${pad(k, 17)}${v}\n`;
  }
  return s;
}

export const version: Command = {
  usage: 'version [OPTIONS]',
  desc: 'Show the Docker version information',
  flags: [flag.formatF],
  args: { max: 0 },
  async run(ctx, p) {
    const client = clientInfo();
    let server: VersionResponse | null = null;
    let err: unknown;
    try {
      server = await ctx.client().version();
    } catch (e) {
      err = e;
    }
    const f = get.str(p, 'format');
    if (f)
      ctx.io.stdout.write(
        compile(f === 'json' ? '{{json .}}' : f).execute({
          Client: withGoNames(client, { APIVersion: 'ApiVersion' }),
          Server: server && withGoNames({ ...server }, { APIVersion: 'ApiVersion' }),
        }) + '\n',
      );
    else ctx.io.stdout.write(renderVersion(client, server));
    if (err) {
      ctx.io.stderr.write((err as Error).message + '\n');
      return 1;
    }
    return 0;
  },
};

export function renderInfo(i: Record<string, unknown>): string {
  const g = (k: string) => i[k] ?? '';
  let s = 'Client:\n';
  s += ` Version:    ${CLIENT_VERSION}\n Context:    default\n Debug Mode: false\n\nServer:\n`;
  s += ` Containers: ${g('Containers')}\n  Running: ${g('ContainersRunning')}\n  Paused: ${g('ContainersPaused')}\n  Stopped: ${g('ContainersStopped')}\n`;
  s += ` Images: ${g('Images')}\n Server Version: ${g('ServerVersion')}\n Storage Driver: ${g('Driver')}\n`;
  for (const [k, v] of (i.DriverStatus as Array<[string, string]> | null) ?? []) s += `  ${k}: ${v}\n`;
  s += ` Logging Driver: ${g('LoggingDriver')}\n Cgroup Driver: ${g('CgroupDriver')}\n Cgroup Version: ${g('CgroupVersion')}\n`;
  const rts = Object.keys((i.Runtimes as Record<string, unknown>) ?? {});
  if (rts.length) s += ` Runtimes: ${rts.join(' ')}\n`;
  if (i.DefaultRuntime) s += ` Default Runtime: ${g('DefaultRuntime')}\n`;
  s += ` Init Binary: ${g('InitBinary')}\n`;
  const sec = (i.SecurityOptions as string[] | undefined) ?? [];
  if (sec.length) {
    s += ' Security Options:\n';
    for (const o of sec) {
      const parts = o.split(',').map((x) => x.split('='));
      s += `  ${parts[0][1] ?? parts[0][0]}\n`;
      for (const [k, v] of parts.slice(1)) s += `   ${k[0].toUpperCase() + k.slice(1)}: ${v}\n`;
    }
  }
  s += ` Kernel Version: ${g('KernelVersion')}\n Operating System: ${g('OperatingSystem')}\n OSType: ${g('OSType')}\n`;
  s += ` Architecture: ${g('Architecture')}\n CPUs: ${g('NCPU')}\n Total Memory: ${bytesSize(Number(i.MemTotal ?? 0))}\n`;
  s += ` Name: ${g('Name')}\n ID: ${g('ID')}\n Docker Root Dir: ${g('DockerRootDir')}\n Debug Mode: ${g('Debug') || false}\n`;
  s += ` Experimental: ${g('ExperimentalBuild') || false}\n`;
  const reg = i.RegistryConfig as
    | { InsecureRegistryCIDRs?: string[]; IndexConfigs?: Record<string, { Secure?: boolean }> }
    | undefined;
  const insecure = [
    ...Object.entries(reg?.IndexConfigs ?? {})
      .filter(([, v]) => v.Secure === false)
      .map(([k]) => k),
    ...(reg?.InsecureRegistryCIDRs ?? []),
  ];
  if (insecure.length) s += ` Insecure Registries:\n${insecure.map((x) => `  ${x}\n`).join('')}`;
  s += ` Live Restore Enabled: ${g('LiveRestoreEnabled') || false}\n`;
  return s;
}

export const info: Command = {
  usage: 'info [OPTIONS]',
  desc: 'Display system-wide information',
  flags: [flag.formatF],
  args: { max: 0 },
  async run(ctx: CliContext, p) {
    const i = await ctx.client().info();
    const f = get.str(p, 'format');
    const data = {
      ...i,
      ClientInfo: { ...clientInfo(), Debug: false, Plugins: [], Warnings: null },
      ServerErrors: null,
    };
    if (f) ctx.io.stdout.write(compile(f === 'json' ? '{{json .}}' : f).execute(data) + '\n');
    else ctx.io.stdout.write(renderInfo(i));
    for (const w of (i.Warnings as string[] | undefined) ?? []) ctx.io.stderr.write(w + '\n');
    return 0;
  },
};
