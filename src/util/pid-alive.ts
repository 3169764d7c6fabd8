// Whether a process exists, by signal 0 (no signal is sent). EPERM means it exists but belongs to
// someone we may not signal: alive (a lock holder under another user must still count).

export function pidAlive(pid: number): boolean {
  if (!pid || pid < 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
