// The Engine API types the client speaks: one wire model, declared in api/wire (the server's
// converters produce them); re-exported here so cli/ and tests keep one import path.
export type {
  ContainerConfig,
  ContainerCreateRequest,
  ContainerInspect,
  ContainerState,
  ContainerSummary,
  CreateResponse,
  ExecCreateRequest,
  ExecInspect,
  HealthConfig,
  HostConfig,
  Labels,
  MountSpec,
  Port,
  PortBinding,
  RestartPolicy,
  TopResponse,
  WaitResponse,
} from '../api/wire/containers.js';
export type { DeleteItem, HistoryItem, ImageInspect, ImageSummary, PruneReport } from '../api/wire/images.js';
export type { InfoResponse, VersionComponent, VersionResponse } from '../api/wire/info.js';
export type { JsonMessage as JSONMessage, ProgressDetail } from '../api/wire/json-message.js';
export type { DockerStats as ContainerStats } from '../api/wire/stats.js';
