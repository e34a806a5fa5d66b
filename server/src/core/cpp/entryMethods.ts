// The methods the flow-state analysis starts from: called by the framework for every packet, once
// per flow, or by a base's contract to key its table. Known to the extractor too: their bodies are
// nearly always read, so they are converted with their file rather than deferred (deferredBodies.ts).

/** Methods called for every packet (docs/ARCHITECTURE.md §3). */
export const PER_PACKET_METHODS = new Set([
  'push',
  'push_batch',
  'pull',
  'pull_batch',
  'simple_action',
  'simple_action_batch',
  'process',
  'push_flow',
  'push_flow_batch',
  'run_task',
]);

/** Methods called once per flow. */
export const PER_FLOW_METHODS = new Set(['new_flow', 'release_flow']);

/** Methods a base calls by contract to compute the key of its table (FlowMage's IFlowManager). */
export const KEY_CONTRACT_METHODS = new Set(['calculate_hash']);

export function isEntryMethod(name: string): boolean {
  return PER_PACKET_METHODS.has(name) || PER_FLOW_METHODS.has(name) || KEY_CONTRACT_METHODS.has(name);
}
