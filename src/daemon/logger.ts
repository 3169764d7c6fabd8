// berthd's log lines, logrus-style as dockerd writes them: time="…" level=… msg="…".
export const LEVELS = { debug: 0, info: 1, warn: 2, error: 3, fatal: 4 } as const;
export type Level = keyof typeof LEVELS;
export type Log = (level: Level, m: string) => void;

export function daemonLogger(
  min: Level,
  write: (line: string) => void = (l) => void process.stderr.write(l),
  now = () => new Date(),
): Log {
  const minLevel = LEVELS[min];
  return (level, m) => {
    if (LEVELS[level] >= minLevel) write(`time="${now().toISOString()}" level=${level} msg=${JSON.stringify(m)}\n`);
  };
}
