/** The parent-death watchdog: cleans up when this process dies without running any handler (kill -9). */
import { spawn, type ChildProcess } from 'node:child_process';

/**
 * A detached bash loop that outlives us: when this process is gone (or a
 * zombie), it SIGKILLs the pids listed in `<dir>/pids` (only those whose
 * command line still mentions `<dir>`, against pid reuse) and removes `<dir>`.
 * stop() and the exit handler kill it first, by its process group.
 */
const WATCHDOG_SCRIPT = String.raw`
parent=$1; dir=$2
alive() {
  if [ -d /proc/1 ]; then
    [ -r "/proc/$parent/status" ] || return 1
    local line
    while read -r line; do
      case $line in
        State:*Z*|State:*X*) return 1 ;;
        State:*) return 0 ;;
      esac
    done < "/proc/$parent/status"
    return 1
  fi
  kill -0 "$parent" 2>/dev/null
}
while alive; do sleep 0.5; done
if [ -f "$dir/pids" ]; then
  for p in $(cat "$dir/pids"); do
    if [ -r "/proc/$p/cmdline" ]; then
      grep -qaF -- "$dir" "/proc/$p/cmdline" && kill -9 "$p"
    else
      kill -9 "$p"
    fi
  done 2>/dev/null
fi
rm -rf "$dir"
`;

export function startWatchdog(dir: string): ChildProcess {
  const child = spawn(
    'bash',
    ['-c', WATCHDOG_SCRIPT, 'fastflow-watchdog', String(process.pid), dir],
    { detached: true, stdio: 'ignore' },
  );
  child.on('error', () => {
    // reported through pid === undefined below
  });
  child.unref();
  if (child.pid === undefined) throw new Error('could not start the watchdog (bash)');
  return child;
}
