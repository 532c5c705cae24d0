/** Where etcd, kube-apiserver and kubectl are: given, or built/cached by `hack/k8s-binaries.sh`. */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { defaultLog, LOG_TAIL_LINES } from './log.ts';

const binariesScript = fileURLToPath(new URL('../../hack/k8s-binaries.sh', import.meta.url));

/**
 * The directory with etcd, kube-apiserver and kubectl: `binDir` if given,
 * else the last stdout line of `hack/k8s-binaries.sh` (which honours
 * KUBEBUILDER_ASSETS, builds once and caches). The script's stderr (build
 * progress) goes to `log` line by line.
 */
export async function findBinaries(
  binDir?: string,
  log: (msg: string) => void = defaultLog,
): Promise<string> {
  if (binDir !== undefined) return binDir;
  const child = spawn('bash', [binariesScript], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderrRest = '';
  const stderrTail: string[] = [];
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    const lines = (stderrRest + chunk).split('\n');
    stderrRest = lines.pop() ?? '';
    for (const line of lines) {
      stderrTail.push(line);
      if (stderrTail.length > LOG_TAIL_LINES) stderrTail.shift();
      if (line.trim() !== '') log(line);
    }
  });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (c) => resolve(c));
  });
  if (stderrRest.trim() !== '') {
    stderrTail.push(stderrRest);
    log(stderrRest);
  }
  if (code !== 0) {
    throw new Error(
      `${binariesScript} failed (exit ${code}); set KUBEBUILDER_ASSETS to a directory with etcd ` +
        `and kube-apiserver to skip the build. Last output:\n${stderrTail.join('\n')}`,
    );
  }
  const dir = stdout
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '')
    .pop();
  if (dir === undefined) throw new Error(`${binariesScript} printed no directory`);
  return dir;
}
