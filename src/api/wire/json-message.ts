// moby's JSON message stream entries (pkg/jsonmessage): one per line of pull, push, build, load
// and import answers; the API writes them (api/stream/json-progress.ts), clients read them.

/** moby's JSONProgress; every field is omitted when zero. */
export interface ProgressDetail {
  current?: number;
  total?: number;
  /** Unix seconds when the transfer started (for the time-left estimate). */
  start?: number;
  hidecounts?: boolean;
  units?: string;
}

/** moby's JSONMessage. */
export interface JsonMessage {
  stream?: string;
  status?: string;
  progressDetail?: ProgressDetail;
  progress?: string;
  id?: string;
  from?: string;
  time?: number;
  timeNano?: number;
  errorDetail?: { code?: number; message: string };
  error?: string;
  aux?: unknown;
}
