// The labels `kube play` puts on everything it creates: `kube down` removes exactly what carries them.
export const PLAY_LABEL = 'io.berth.kube.play';
export const WORKLOAD_LABEL = 'io.berth.kube.workload';
export const POD_LABEL = 'io.berth.kube.pod';
/** On volumes: "claim" (a PersistentVolumeClaim, kept by down unless asked) or "emptyDir". */
export const VOLUME_KIND_LABEL = 'io.berth.kube.volume';
