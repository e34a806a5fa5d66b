// A parse helper (bundled alone as dist/parseWorker.js; see parsePool.ts): loads its own tree-sitter
// runtime as soon as it starts, then takes files from the end of the list it is given, each one it
// can claim before the index's thread does, and answers with each file's model as JSON. It ends
// when no file is left; its WASM heap, grown by a hundred megabytes or more on a whole tree, goes
// away with it.
import { parentPort } from 'node:worker_threads';
import { createParser } from '../treeSitter';
import { extractCppFile } from './extract';
import { encodeModel } from './modelCodec';
import { SLOT, type ParseAssignment, type ParseReply } from './parsePool';

const parser = createParser('cpp');
// Loading failed: every file stays unclaimed, and the index's thread parses them.
parser.then(
  () => parentPort?.postMessage('ready'),
  () => process.exit(0),
);

parentPort?.once('message', (assignment: ParseAssignment) => {
  void parser.then(
    (p) => {
      const { jobs, helper, replies } = assignment;
      const slots = new Int32Array(assignment.slots);
      const cursor = jobs.length;
      const mine = SLOT.claimedBy + helper;
      for (let i = Atomics.sub(slots, cursor, 1) - 1; i >= 0; i = Atomics.sub(slots, cursor, 1) - 1) {
        if (Atomics.compareExchange(slots, i, SLOT.free, mine) !== SLOT.free) continue;
        const job = jobs[i];
        let reply: ParseReply;
        try {
          reply = { path: job.path, json: encodeModel(extractCppFile(p, job.path, job.text, { mtimeMs: job.mtimeMs, size: job.size, parameters: true, deferBodies: true })) };
        } catch (err) {
          reply = { path: job.path, error: err instanceof Error ? err.message : String(err) };
        }
        // The reply is on the port before the slot says done: the index's thread reads it right after.
        replies.postMessage(reply);
        Atomics.store(slots, i, reply.json === undefined ? SLOT.failed : SLOT.done);
        Atomics.notify(slots, i);
      }
      process.exit(0);
    },
    () => process.exit(0),
  );
});
