// A parse worker (bundled alone as dist/parseWorker.js; see parsePool.ts): parses the C++ files it
// is sent with its own tree-sitter runtime and answers with each file's model as JSON. Its WASM
// heap, which a parse of a whole tree grows by a hundred megabytes or more, goes away with it.
import { parentPort } from 'node:worker_threads';
import { createParser, type RecoveringParser } from '../treeSitter';
import { extractCppFile } from './extract';
import { encodeModel } from './modelCodec';
import type { ParseJob, ParseReply } from './parsePool';

let parser: Promise<RecoveringParser> | undefined;

parentPort?.on('message', (job: ParseJob) => {
  parser ??= createParser('cpp');
  parser
    .then((p) => {
      const model = extractCppFile(p, job.path, job.text, { mtimeMs: job.mtimeMs, size: job.size, parameters: true });
      return { path: job.path, json: encodeModel(model) } satisfies ParseReply;
    })
    .catch((err: unknown): ParseReply => ({ path: job.path, error: err instanceof Error ? err.message : String(err) }))
    .then((reply) => parentPort!.postMessage(reply));
});
