// src/runtime/spec: container settings → OCI runtime spec.
export { buildSpec, DEFAULT_SHM_SIZE, INIT_PATH, MASKED_PATHS, READONLY_PATHS, OCI_VERSION } from './buildSpec.js';
export { ALL_CAPS, DEFAULT_CAPS, normalizeCaps, tweakCapabilities } from './capabilities.js';
export { deviceNumbers, hostDevices, resolveDevice, type DeviceMapping } from './devices.js';
export { DEFAULT_DEVICE_RULES, parseDeviceCgroupRule, validateResources } from './resources.js';
export { resolveUser, type ResolvedUser } from './resolveUser.js';
export { applyUlimits, daemonRlimits, parseLimits } from './rlimits.js';
export { BUILTIN_PROFILE, defaultSeccompProfile, parseSeccompProfile, toOciSeccomp } from './seccomp.js';
export { parseSecurityOpt, type SecurityOpts } from './securityOpt.js';
export { containerEnv, findInit } from './containerEnv.js';
export type * from './types.js';
