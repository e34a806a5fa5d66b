// The one definition of FlowMage's settings: types, defaults and descriptions. package.json's
// `contributes.configuration` is generated from this table (`npm run sync:settings`) and a test
// checks that the two agree.

export interface SettingSpec {
  type: 'string' | 'boolean' | 'number' | 'integer' | 'array' | 'object';
  default: unknown;
  markdownDescription: string;
  enum?: string[];
  enumDescriptions?: string[];
  items?: Record<string, unknown>;
  minimum?: number;
  maximum?: number;
  /** VS Code setting scope; `machine-overridable` keeps endpoints out of untrusted workspace settings. */
  scope?: 'application' | 'machine' | 'machine-overridable' | 'window' | 'resource';
  /** Read by the client only (the language client's own trace setting). */
  clientOnly?: boolean;
  /** Ignored from workspace settings in an untrusted workspace (package.json restrictedConfigurations). */
  restricted?: boolean;
}

export const SETTINGS = {
  'flowmage.log.level': {
    type: 'string',
    default: 'info',
    enum: ['error', 'warn', 'info', 'debug'],
    markdownDescription: 'How much the FlowMage language server writes to the **FlowMage** output channel.',
  },
  'flowmage.trace.server': {
    type: 'string',
    default: 'off',
    enum: ['off', 'messages', 'verbose'],
    markdownDescription: 'Traces the JSON-RPC messages between VS Code and the FlowMage language server (for debugging the extension).',
    clientOnly: true,
  },
  'flowmage.solver.nicProfile': {
    type: 'string',
    default: 'all-subsets',
    enum: ['all-subsets', 'dpdk-common', 'custom', 'ice', 'i40e', 'ixgbe', 'mlx5'],
    enumDescriptions: [
      "Every non-empty subset of the 5-tuple (the paper's R, 31 candidates).",
      'What common DPDK NICs hash: source IP, destination IP, the IP pair, the 4-tuple and the 5-tuple.',
      'The field sets listed in `#flowmage.solver.customFieldSets#`.',
      'Intel E810 (DPDK ice): address pair or one address, with both ports, one port or none.',
      'Intel XL710 (DPDK i40e): address pair or one address, with both ports, one port or none.',
      'Intel 82599 (DPDK ixgbe): the address pair or the 4-tuple.',
      'NVIDIA ConnectX-5/6 (DPDK mlx5): any addresses and ports, ports alone included.',
    ],
    markdownDescription: 'Which RSS field sets the NIC can hash, i.e. the candidates the solver chooses from. The NIC profiles (`ice`, `i40e`, `ixgbe`, `mlx5`) follow their DPDK drivers (README, "NIC profiles").',
  },
  'flowmage.solver.customFieldSets': {
    type: 'array',
    default: [],
    items: { type: 'array', items: { type: 'string', enum: ['src_ip', 'dst_ip', 'src_port', 'dst_port', 'protocol'] } },
    markdownDescription: 'RSS field sets for the `custom` NIC profile, e.g. `[["src_ip"], ["src_ip", "dst_ip"]]`.',
  },
  'flowmage.solver.customNicProfile': {
    type: 'object',
    default: {},
    markdownDescription:
      'Your own NIC for the `custom` profile when `#flowmage.solver.customFieldSets#` is empty: what it can hash, e.g. `{"id": "my-nic", "l3SrcOnly": true, "l3DstOnly": true, "l4SrcOnly": false, "l4DstOnly": false, "l4WithoutL3": false, "retaSize": 512, "keySize": 52, "symmetricFunctions": ["symmetric_toeplitz"]}`. The candidate field sets are derived as for the built-in NICs (README, "NIC profiles").',
  },
  'flowmage.solver.weights.perPacket': {
    type: 'number',
    default: 4,
    minimum: 0,
    markdownDescription: 'Cost of sharing the state of an element that writes it on every packet (a lock and a cache-line transfer per packet).',
  },
  'flowmage.solver.weights.perFlow': {
    type: 'number',
    default: 1,
    minimum: 0,
    markdownDescription: 'Cost of sharing the state of an element that writes it only when a flow starts or ends (reads share cache lines cheaply).',
  },
  'flowmage.solver.weights.pointerChasingFactor': {
    type: 'number',
    default: 2,
    minimum: 1,
    markdownDescription: 'Multiplies the sharing cost of an element whose state is reached through pointers (dependent loads that miss in other cores\' caches).',
  },
  'flowmage.solver.trace': {
    type: 'string',
    default: '',
    markdownDescription:
      'A pcap or pcapng capture (path relative to the first workspace folder) of the traffic the chain will see. With it, the solver simulates each RSS candidate on the NIC profile\'s key and RETA, reports its imbalance (max / mean queue load), adds it to the cost (`#flowmage.solver.imbalanceWeight#`) and rejects candidates over `#flowmage.solver.maxImbalance#`. Empty: no trace.',
  },
  'flowmage.solver.imbalanceWeight': {
    type: 'number',
    default: 2,
    minimum: 0,
    markdownDescription: 'With a trace: cost added per unit of imbalance above 1, i.e. `weight × (max / mean queue load − 1)`. At 2, a candidate that loads its busiest core twice the mean costs as much as sharing one per-flow element twice. 0 only reports imbalance.',
  },
  'flowmage.solver.maxImbalance': {
    type: 'number',
    default: 2,
    minimum: 0,
    markdownDescription: 'With a trace: RSS candidates whose busiest queue gets more than this many times the mean load are rejected (the plan says which and why). 0 rejects none. If every candidate is over it, none is rejected.',
  },
  'flowmage.rewrite.rssParameter': {
    type: 'string',
    default: 'HASHFUNC',
    markdownDescription: 'The `FromDPDKDevice` keyword that selects the RSS fields, as FlowMage\'s FastClick fork reads it (`HASHFUNC "src_ip dst_ip"`).',
  },
  'flowmage.rewrite.target': {
    type: 'string',
    enum: ['auto', 'flowmage-fork', 'fastclick'],
    default: 'auto',
    markdownDescription:
      'How Optimize chain writes the plan. `auto`: per element, from what its indexed source reads (the fork\'s `HASHFUNC`/`SHARED`, else `MODE flow` + a DPDK flow rules file, else a sibling class with the other threading model). `flowmage-fork`: always `HASHFUNC`/`SHARED`. `fastclick`: only what upstream FastClick reads.',
  },
  'flowmage.rewrite.swapClasses': {
    type: 'boolean',
    default: false,
    markdownDescription:
      'Let Optimize chain replace an element class by a sibling with the other threading model (for example a shared flow manager by its per-thread variant) when the element reads no sharing parameter. Off by default: a sibling is another implementation, and the plan only names it.',
  },
  'flowmage.rewrite.sharedParameter': {
    type: 'string',
    default: 'SHARED',
    markdownDescription: 'The keyword that tells a stateful element to share its state across cores (`SHARED true`) or keep it per core (`SHARED false`).',
  },
  'flowmage.llm.enabled': {
    type: 'boolean',
    restricted: true,
    default: false,
    markdownDescription: 'Ask an LLM for element features and complexity comparisons (FlowMage\'s method) beside the static analysis. Sends element source code to `#flowmage.llm.baseUrl#`; never in an untrusted workspace.',
  },
  'flowmage.llm.baseUrl': {
    type: 'string',
    restricted: true,
    default: '',
    markdownDescription: 'OpenAI-compatible endpoint (empty = OpenAI). Azure OpenAI, Ollama (`http://localhost:11434/v1`), vLLM, LM Studio and similar work; local endpoints need no API key.',
  },
  'flowmage.llm.model': {
    type: 'string',
    default: 'gpt-4o',
    markdownDescription: 'Model name sent to the endpoint. A change invalidates cached answers.',
  },
  'flowmage.llm.temperature': {
    type: 'number',
    default: 0,
    minimum: 0,
    maximum: 2,
    markdownDescription: 'Sampling temperature; near 0 as in the paper, for repeatable answers.',
  },
  'flowmage.llm.samples': {
    type: 'integer',
    default: 1,
    minimum: 1,
    maximum: 9,
    markdownDescription: 'Answers asked per element; each feature is decided by majority vote (ties go to the safe side).',
  },
  'flowmage.llm.maxInputTokens': {
    type: 'integer',
    default: 16000,
    minimum: 500,
    markdownDescription: 'Largest prompt sent. Elements and complexity comparisons over this are skipped with a message.',
  },
  'flowmage.llm.concurrency': {
    type: 'integer',
    default: 4,
    minimum: 1,
    maximum: 32,
    markdownDescription: 'How many LLM requests may run at once.',
  },
  'flowmage.llm.timeoutSeconds': {
    type: 'number',
    default: 60,
    minimum: 0.1,
    markdownDescription: 'How long to wait for one answer before giving up on it.',
  },
  'flowmage.llm.maxRetries': {
    type: 'integer',
    default: 3,
    minimum: 0,
    maximum: 10,
    markdownDescription: 'Retries after rate limiting (honouring `Retry-After`), server errors and broken connections. Other client errors are not retried.',
  },
  'flowmage.llm.complexityComparison': {
    type: 'boolean',
    default: true,
    markdownDescription: 'When the solver ties, ask the LLM which element needs more processing per packet (the paper\'s CCE); otherwise a static estimate breaks the tie.',
  },
  'flowmage.sourcePaths': {
    type: 'array',
    restricted: true,
    default: [] as string[],
    items: { type: 'string' },
    markdownDescription:
      'Directories (or files) holding the C++ sources of FastClick elements, for example a FastClick checkout or a folder of your own elements. Relative paths are resolved against the first workspace folder. When empty, the workspace folders are indexed.',
  },
  'flowmage.index.maxFileSizeKB': {
    type: 'integer',
    default: 2048,
    minimum: 1,
    markdownDescription: 'C++ files larger than this (in KB) are skipped with a warning: parsing a huge file could exhaust the parser\'s memory. FastClick\'s largest source is under 300 KB.',
  },
  'flowmage.store.path': {
    type: 'string',
    default: '.flowmage/features.json',
    restricted: true,
    markdownDescription:
      'Where the feature store (the features found for every element, and the code-slice hash they were computed from) is kept, relative to the first workspace folder. It must stay inside the workspace folder or the extension\'s storage, with no symbolic link on the way; otherwise features are kept in memory. Empty keeps features in memory only.',
  },
} satisfies Record<string, SettingSpec>;

export type SettingKey = keyof typeof SETTINGS;

/** The settings as the core sees them, with defaults filled in and wrong types replaced by defaults. */
export type FlowMageSettings = { [K in SettingKey]: (typeof SETTINGS)[K]['default'] extends infer D ? Widen<D> : never };
type Widen<T> = T extends string ? string : T extends number ? number : T extends boolean ? boolean : T extends readonly (infer E)[] ? Widen<E>[] : T;

export function defaultSettings(): FlowMageSettings {
  const out: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(SETTINGS)) out[key] = structuredClone(spec.default);
  return out as FlowMageSettings;
}

/**
 * Reads settings from a nested object as VS Code hands it over (`{ log: { level } }` under `flowmage`)
 * or from flat keys. Values of the wrong type fall back to the default and are reported, never thrown.
 */
export function readSettings(raw: unknown, problems: string[] = []): FlowMageSettings {
  const out = defaultSettings() as Record<string, unknown>;
  for (const [key, spec] of Object.entries(SETTINGS) as [string, SettingSpec][]) {
    const value = lookup(raw, key.replace(/^flowmage\./, '').split('.'));
    if (value === undefined || value === null) continue;
    if (valid(spec, value)) out[key] = value;
    else problems.push(`Setting ${key} has an invalid value ${JSON.stringify(value)}; using ${JSON.stringify(spec.default)}.`);
  }
  return out as FlowMageSettings;
}

function lookup(raw: unknown, path: string[]): unknown {
  if (!raw || typeof raw !== 'object') return undefined;
  const obj = raw as Record<string, unknown>;
  const flat = obj['flowmage.' + path.join('.')] ?? obj[path.join('.')];
  if (flat !== undefined) return flat;
  let cur: unknown = obj;
  for (const part of path) {
    if (!cur || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

function valid(spec: SettingSpec, value: unknown): boolean {
  switch (spec.type) {
    case 'string':
      return typeof value === 'string' && (!spec.enum || spec.enum.includes(value));
    case 'boolean':
      return typeof value === 'boolean';
    case 'number':
    case 'integer':
      return (
        typeof value === 'number' &&
        Number.isFinite(value) &&
        (spec.type === 'number' || Number.isInteger(value)) &&
        (spec.minimum === undefined || value >= spec.minimum) &&
        (spec.maximum === undefined || value <= spec.maximum)
      );
    case 'array':
      return Array.isArray(value) && value.every((v) => itemValid(spec.items, v));
    case 'object':
      return typeof value === 'object' && !Array.isArray(value);
  }
}

function itemValid(items: Record<string, unknown> | undefined, v: unknown): boolean {
  if (!items) return true;
  if (items.type === 'string') return typeof v === 'string';
  if (items.type === 'array') return Array.isArray(v) && v.every((x) => itemValid(items.items as Record<string, unknown>, x));
  return true;
}

/** The `contributes.configuration.properties` object package.json must carry. */
export function manifestProperties(): Record<string, unknown> {
  const props: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(SETTINGS) as [string, SettingSpec][]) {
    const { clientOnly: _clientOnly, restricted: _restricted, ...rest } = spec;
    props[key] = rest;
  }
  return props;
}

/** package.json's `capabilities.untrustedWorkspaces.restrictedConfigurations`. */
export function restrictedSettings(): string[] {
  return (Object.entries(SETTINGS) as [string, SettingSpec][]).filter(([, spec]) => spec.restricted).map(([key]) => key);
}
