// The slice of the Kubernetes object model berth generates and plays (core/v1, apps/v1), in the
// API's own camelCase field names, so objects serialise to YAML without any conversion.

export type StrMap = Record<string, string>;

export interface ObjectMeta {
  name: string;
  labels?: StrMap;
  annotations?: StrMap;
}

export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: {
    secretKeyRef?: { name: string; key: string; optional?: boolean };
    configMapKeyRef?: { name: string; key: string; optional?: boolean };
  };
}

export interface EnvFromSource {
  secretRef?: { name: string; optional?: boolean };
  configMapRef?: { name: string; optional?: boolean };
  prefix?: string;
}

export interface ContainerPort {
  containerPort: number;
  protocol?: 'TCP' | 'UDP' | 'SCTP';
  hostPort?: number;
  hostIP?: string;
  name?: string;
}

export interface VolumeMount {
  name: string;
  mountPath: string;
  readOnly?: boolean;
  subPath?: string;
}

export interface Probe {
  exec?: { command: string[] };
  initialDelaySeconds?: number;
  periodSeconds?: number;
  timeoutSeconds?: number;
  failureThreshold?: number;
}

export interface SecurityContext {
  runAsUser?: number;
  runAsGroup?: number;
  privileged?: boolean;
  readOnlyRootFilesystem?: boolean;
  capabilities?: { add?: string[]; drop?: string[] };
}

export interface Container {
  name: string;
  image: string;
  command?: string[];
  args?: string[];
  workingDir?: string;
  env?: EnvVar[];
  envFrom?: EnvFromSource[];
  ports?: ContainerPort[];
  volumeMounts?: VolumeMount[];
  resources?: { limits?: StrMap; requests?: StrMap };
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  securityContext?: SecurityContext;
  stdin?: boolean;
  tty?: boolean;
}

export interface Volume {
  name: string;
  persistentVolumeClaim?: { claimName: string; readOnly?: boolean };
  hostPath?: { path: string; type?: string };
  emptyDir?: { medium?: string; sizeLimit?: string };
  configMap?: { name: string; items?: { key: string; path: string }[]; optional?: boolean; defaultMode?: number };
  secret?: { secretName: string; items?: { key: string; path: string }[]; optional?: boolean; defaultMode?: number };
}

export interface PodSpec {
  containers: Container[];
  initContainers?: Container[];
  volumes?: Volume[];
  restartPolicy?: 'Always' | 'OnFailure' | 'Never';
  hostname?: string;
  hostNetwork?: boolean;
  hostAliases?: { ip: string; hostnames: string[] }[];
  terminationGracePeriodSeconds?: number;
}

export interface PodTemplate {
  metadata: { labels: StrMap; annotations?: StrMap };
  spec: PodSpec;
}

export interface Pod {
  apiVersion: 'v1';
  kind: 'Pod';
  metadata: ObjectMeta;
  spec: PodSpec;
}

export interface Deployment {
  apiVersion: 'apps/v1';
  kind: 'Deployment';
  metadata: ObjectMeta;
  spec: { replicas: number; selector: { matchLabels: StrMap }; template: PodTemplate };
}

export interface StatefulSet {
  apiVersion: 'apps/v1';
  kind: 'StatefulSet';
  metadata: ObjectMeta;
  spec: { replicas: number; serviceName: string; selector: { matchLabels: StrMap }; template: PodTemplate };
}

export interface ServicePort {
  name?: string;
  port: number;
  targetPort?: number | string;
  protocol?: 'TCP' | 'UDP' | 'SCTP';
  nodePort?: number;
}

export interface Service {
  apiVersion: 'v1';
  kind: 'Service';
  metadata: ObjectMeta;
  spec: {
    selector: StrMap;
    ports?: ServicePort[];
    type?: 'ClusterIP' | 'NodePort' | 'LoadBalancer';
    clusterIP?: string;
  };
}

export interface PersistentVolumeClaim {
  apiVersion: 'v1';
  kind: 'PersistentVolumeClaim';
  metadata: ObjectMeta;
  spec: { accessModes: string[]; resources: { requests: StrMap } };
}

export interface Secret {
  apiVersion: 'v1';
  kind: 'Secret';
  metadata: ObjectMeta;
  type?: string;
  data?: StrMap;
  stringData?: StrMap;
}

export interface ConfigMap {
  apiVersion: 'v1';
  kind: 'ConfigMap';
  metadata: ObjectMeta;
  data?: StrMap;
  binaryData?: StrMap;
}

export type Workload = Pod | Deployment | StatefulSet;
export type KubeObject = Workload | Service | PersistentVolumeClaim | Secret | ConfigMap;

/** What generate returns: the objects in apply order and what could not be expressed. */
export interface Generated {
  objects: KubeObject[];
  warnings: string[];
}
