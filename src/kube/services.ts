// Services for a group: one named after it (and one per network alias) so that the names compose
// and Docker's DNS answered still resolve; with --service, published ports go to a LoadBalancer.
import type { GenerateOptions, SourceGroup } from './source.js';
import type { Service, ServicePort } from './types.js';
import type { PublishedPort, Warn } from './container-spec.js';
import { dnsName } from './names.js';

const APP_LABEL = 'app.kubernetes.io/name';

function portName(p: { protocol: string; port: number }): string {
  return `${p.protocol.toLowerCase()}-${p.port}`;
}

function uniq(ports: ServicePort[]): ServicePort[] {
  const seen = new Set<string>();
  return ports.filter((p) => {
    const k = `${p.protocol}/${p.port}`;
    return seen.has(k) ? false : (seen.add(k), true);
  });
}

function clusterPorts(ports: PublishedPort[]): ServicePort[] {
  return uniq(
    ports.map((p) => ({
      name: portName({ protocol: p.protocol, port: p.containerPort }),
      port: p.containerPort,
      targetPort: p.containerPort,
      protocol: p.protocol,
    })),
  );
}

function service(name: string, app: string, ports: ServicePort[], type?: 'LoadBalancer', headless = false): Service {
  const spec: Service['spec'] = { selector: { [APP_LABEL]: app } };
  if (ports.length) spec.ports = ports;
  if (type) spec.type = type;
  else if (headless || !ports.length) spec.clusterIP = 'None';
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, labels: { [APP_LABEL]: app } }, spec };
}

/** The group's Services (none when it is on no user network and --service was not asked). */
export function servicesOf(
  g: SourceGroup,
  ports: PublishedPort[],
  o: GenerateOptions & { forceHeadless: boolean },
  warn: Warn,
): Service[] {
  if (!g.networks.length && !o.service && !o.forceHeadless) return [];
  if (g.networks.length > 1)
    warn(
      `${g.name}: networks ${g.networks.map((n) => n.name).join(', ')} become one flat cluster network (no isolation between them)`,
    );
  const app = dnsName(g.name);
  const published = ports.filter((p) => p.hostPort);
  const out: Service[] = [];
  if (o.service && published.length) {
    const lb = published.map((p) => ({
      name: portName({ protocol: p.protocol, port: p.hostPort! }),
      port: p.hostPort!,
      targetPort: p.containerPort,
      protocol: p.protocol,
    }));
    for (const p of ports.filter((x) => !x.hostPort))
      warn(
        `${g.name}: port ${p.containerPort}/${p.protocol.toLowerCase()} is not published: the LoadBalancer Service leaves it out`,
      );
    out.push(service(app, app, uniq(lb), 'LoadBalancer'));
  } else out.push(service(app, app, clusterPorts(ports), undefined, o.forceHeadless));
  const aliases = new Set(g.networks.flatMap((n) => n.aliases).map(dnsName));
  aliases.delete(app);
  for (const a of aliases) if (!/^[0-9a-f]{12}$/.test(a)) out.push(service(a, app, clusterPorts(ports)));
  return out;
}
