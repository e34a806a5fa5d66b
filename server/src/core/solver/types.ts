// Inputs and outputs of the chain solver: plain data, independent of how the chain was found.
import type { CoreFeatures, FlowField, OtherKeyField } from '../analysis/features';
import type { HashFunction } from '../rss/toeplitz';

/**
 * How a candidate makes the hash symmetric (both directions of a connection on one queue): a
 * symmetric hash function the NIC applies, or plain Toeplitz with the repeated 0x6d5a key. Only
 * offered for field sets that are themselves symmetric (both addresses, and both ports or none).
 */
export type SymmetricHash = { how: 'function'; func: Exclude<HashFunction, 'toeplitz'> } | { how: 'key' };

/** One RSS choice the solver weighs: the hashed fields and, optionally, symmetric hashing. */
export interface Candidate {
  rss: FlowField[];
  symmetric?: SymmetricHash;
}

/** The features the solver uses: the conservative merge of static analysis and the LLM. */
export interface SolverFeatures extends CoreFeatures {
  /** Key fields outside the 5-tuple (only explained: RSS hashes none of them). */
  otherKeyFields?: OtherKeyField[];
  /** State created in one direction is looked up with swapped fields (for direction-aware solving). */
  bidirectional?: boolean;
  /** State keyed by fragment identity: the chain's RSS set must not hash ports. */
  fragments?: boolean;
}

export interface SolverElement {
  /** Instance name in the configuration (unique within a chain). */
  name: string;
  className: string;
  /** null when the element's class is not in the index: the solver cannot reason about it. */
  features: SolverFeatures | null;
  /** Relative per-packet work from the code slice (static estimate), used only to break ties. */
  workEstimate?: number;
  /** false when the deployment cannot give it per-core state (its sharing is fixed shared): it always costs its penalty. */
  canShareNothing?: boolean;
  /** false when its state is per thread and cannot be made shared: RSS must lie inside its key (a hard constraint). */
  canShare?: boolean;
}

export interface ElementDecision {
  name: string;
  className: string;
  stateful: boolean;
  flowKey: FlowField[];
  /** true = shares state across cores; false = shared-nothing; null = stateless or unknown (no SHARED parameter). */
  shared: boolean | null;
  reason: string;
  penalty: number;
}

export interface Alternative {
  rss: FlowField[];
  symmetric?: SymmetricHash;
  cost: number;
  /** max / mean queue load on the trace (only with a trace). */
  imbalance?: number;
  /** Why the candidate was not allowed at all (over flowmage.solver.maxImbalance); it then never wins. */
  rejected?: string;
  sharedNothing: string[];
  /** Why it lost to the chosen field set. */
  verdict: string;
}

export interface Conflict {
  element: string;
  /** Elements whose keys are disjoint from this one's and that the plan keeps shared-nothing. */
  disjointWith: string[];
  reason: string;
}

export interface TieBreak {
  /** 'none': no tie on cost between different sets of shared-nothing elements. */
  method: 'none' | 'llm' | 'static-estimate' | 'name-order';
  /** The tied elements, heaviest first, as the tie-break ranked them. */
  ranking: string[];
  detail: string;
}

export interface Plan {
  rss: FlowField[];
  /** Set when the chosen hashing must be symmetric (an element sees both directions of a connection). */
  symmetric?: SymmetricHash;
  /** Sharing penalties plus, with a trace, imbalanceWeight × (imbalance − 1). */
  cost: number;
  /** max / mean queue load of the chosen hashing on the trace (only with a trace). */
  imbalance?: number;
  /** Without a trace: why the chosen set may balance badly (a single address field). */
  balanceWarning?: string;
  elements: ElementDecision[];
  alternatives: Alternative[];
  conflicts: Conflict[];
  tieBreak: TieBreak;
  /** Elements whose class is not indexed (never given a SHARED parameter). */
  unknownElements: string[];
  /** Problems with the inputs (bad custom profile and the like). */
  notes: string[];
}
