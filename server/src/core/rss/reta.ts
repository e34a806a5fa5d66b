// The RSS redirection table (RETA): the NIC takes the low bits of the hash as an index into a
// table of queue numbers. DPDK sizes it 64, 128, 256 or 512 entries (RTE_ETH_RSS_RETA_SIZE_* in
// lib/ethdev/rte_ethdev.h; E810 PFs report larger), and the round-robin fill DPDK
// drivers program by default and FastClick's DPDKDevice::set_rss_reta also writes
// (lib/dpdkdevice.cc, `core_id = i % max`) is entry i -> queue i % nb_queues.

export type Reta = Uint16Array;

/** DPDK's default fill: entry i holds queue i % nbQueues. */
export function defaultReta(size: number, nbQueues: number): Reta {
  if (!Number.isInteger(size) || size <= 0 || (size & (size - 1)) !== 0) {
    throw new RangeError(`a RETA size is a power of two, not ${size}`);
  }
  if (!Number.isInteger(nbQueues) || nbQueues <= 0 || nbQueues > 65535) {
    throw new RangeError(`the number of queues must be a positive integer, not ${nbQueues}`);
  }
  const reta = new Uint16Array(size);
  for (let i = 0; i < size; i++) reta[i] = i % nbQueues;
  return reta;
}

/** The queue a hash lands on: reta[hash & (size - 1)]. */
export function queueOf(reta: Reta, hash: number): number {
  return reta[hash & (reta.length - 1)];
}
