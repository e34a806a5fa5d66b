// The index's child process, its side (the server's is indexProcess.ts): one request answered over
// IPC, then exit.
import { createLogger, describeError } from '../log';
import { loadLanguage } from '../treeSitter';
import { buildIndexPack } from './indexBuild';
import { INDEX_PROCESS_FLAG, type FromChild, type ToChild } from './indexProcess';

/** The child's side: one request answered over IPC, then exit. It also exits when the server goes away. */
export function serveIndexProcess(): void {
  const send = process.send?.bind(process);
  if (!send) {
    process.stderr.write(`${INDEX_PROCESS_FLAG} is for the FlowMage server's own child process (it needs an IPC channel)\n`);
    process.exit(2);
  }
  // Resolves once the message is handed to the channel, so nothing is lost when it closes.
  const post = (m: FromChild) =>
    new Promise<void>((resolve) => {
      if (!process.connected) return resolve();
      send(m, undefined, undefined, () => resolve());
    });
  process.on('disconnect', () => process.exit(0));
  // The C++ grammar compiles while the request is on its way (the server may start this process early).
  void loadLanguage('cpp').catch(() => undefined);
  const asked: string[] = [];
  let started = false;
  process.on('message', (m: ToChild) => {
    if (m?.type === 'early' && Array.isArray(m.names)) {
      asked.push(...m.names.filter((n) => typeof n === 'string'));
      return;
    }
    if (m?.type !== 'build' || started) {
      void post({ type: 'failed', message: 'unexpected message' }).then(() => process.exit(2));
      return;
    }
    started = true;
    buildIndexPack(m.request, {
      onProgress: (p) => void post({ type: 'progress', ...p }),
      takeEarly: () => asked.splice(0),
      onEarly: (answer) => void post({ type: 'early', answer }),
      onScanned: (file) => void post({ type: 'scanned', file }),
      // Every level: the server's own logger filters by its setting.
      log: createLogger(
        (level, message) => void post({ type: 'log', level, message }),
        () => 'debug',
      ),
    })
      .then(
        (result) => {
          const cpu = process.cpuUsage();
          return post({ type: 'done', result: { ...result, cpuMs: Math.round((cpu.user + cpu.system) / 1000) } });
        },
        (err) => post({ type: 'failed', message: describeError(err) }),
      )
      .finally(() => process.disconnect());
  });
}
