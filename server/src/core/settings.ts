// FlowMage's settings, defined once, as the JSON schema of the `flowmage` section: nested, as VS Code's
// workspace/configuration returns it and as `.flowmage/config.json` holds it. Everything else comes
// from this one object:
//   - package.json's `contributes.configuration` and `restrictedConfigurations` (`npm run sync:settings`;
//     test/unit/settings.test.ts fails when the committed manifest differs);
//   - the `Settings` type (derived at the type level by `FromSchema`, no hand-written interface);
//   - validation (ajv; `readSettings`): a wrong value is reported and replaced by its default.
//
// Format, to add a setting `flowmage.<group>.<name>`:
//   - A group is `{ type: 'object', properties: { ... } }` with no `default`; its key is one segment
//     of the setting id. Groups nest (`solver.weights`).
//   - A setting is any JSON schema node that has a `default` (required) and a `markdownDescription`
//     (required); its id is `flowmage.` + the path of keys. Use `type`, `enum`, `minimum`, `maximum`,
//     `items`, `pattern`... as VS Code reads them. Reuse the core's vocabularies (`enum: NIC_PROFILES`)
//     instead of repeating a list.
//   - Extra keywords: `enumDescriptions` and `scope` (VS Code's), `restricted: true` (ignored from
//     workspace settings in an untrusted workspace: package.json's restrictedConfigurations) and
//     `clientOnly: true` (read by the VS Code client only). The manifest drops the last two.
//   - Then run `npm run sync:settings` and add a row to README's settings table.
// The core never reads setting ids: the LSP and CLI adapters read raw values, `readSettings` turns them
// into a typed `Settings`, and the core takes typed option objects built from it.
import { isDeepStrictEqual } from 'node:util';
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import { FLOW_FIELDS } from './analysis/features';
import { REWRITE_TARGETS } from './rewrite/deployTarget';
import { NIC_PROFILES } from './solver/candidates';

export const SETTINGS_SCHEMA = {
  type: 'object',
  properties: {
    log: {
      type: 'object',
      properties: {
        level: {
          type: 'string',
          default: 'info',
          enum: ['error', 'warn', 'info', 'debug'],
          markdownDescription: 'How much the FlowMage language server writes to the **FlowMage** output channel.',
        },
      },
    },
    trace: {
      type: 'object',
      properties: {
        server: {
          type: 'string',
          default: 'off',
          enum: ['off', 'messages', 'verbose'],
          markdownDescription: 'Traces the JSON-RPC messages between VS Code and the FlowMage language server (for debugging the extension).',
          clientOnly: true,
        },
      },
    },
    solver: {
      type: 'object',
      properties: {
        nicProfile: {
          type: 'string',
          default: 'all-subsets',
          enum: NIC_PROFILES,
          enumDescriptions: [
            "Every non-empty subset of the 5-tuple (the paper's R, 31 candidates).",
            'What common DPDK NICs hash: source IP, destination IP, the IP pair, the 4-tuple and the 5-tuple.',
            'The field sets listed in `#flowmage.solver.customFieldSets#`.',
            'Intel E810 (DPDK ice): address pair or one address, with both ports, one port or none.',
            'Intel XL710 (DPDK i40e): address pair or one address, with both ports, one port or none.',
            'Intel 82599 (DPDK ixgbe): the address pair or the 4-tuple.',
            'NVIDIA ConnectX-5/6 (DPDK mlx5): any addresses and ports, ports alone included.',
          ],
          markdownDescription:
            'Which RSS field sets the NIC can hash, i.e. the candidates the solver chooses from. The NIC profiles (`ice`, `i40e`, `ixgbe`, `mlx5`) follow their DPDK drivers (README, "NIC profiles").',
        },
        customFieldSets: {
          type: 'array',
          default: [],
          items: { type: 'array', items: { type: 'string', enum: FLOW_FIELDS } },
          markdownDescription: 'RSS field sets for the `custom` NIC profile, e.g. `[["src_ip"], ["src_ip", "dst_ip"]]`.',
        },
        customNicProfile: {
          type: 'object',
          default: {},
          markdownDescription:
            'Your own NIC for the `custom` profile when `#flowmage.solver.customFieldSets#` is empty: what it can hash, e.g. `{"id": "my-nic", "l3SrcOnly": true, "l3DstOnly": true, "l4SrcOnly": false, "l4DstOnly": false, "l4WithoutL3": false, "retaSize": 512, "keySize": 52, "symmetricFunctions": ["symmetric_toeplitz"]}`. The candidate field sets are derived as for the built-in NICs (README, "NIC profiles").',
        },
        trace: {
          type: 'string',
          default: '',
          markdownDescription:
            "A pcap or pcapng capture (path relative to the first workspace folder) of the traffic the chain will see. With it, the solver simulates each RSS candidate on the NIC profile's key and RETA, reports its imbalance (max / mean queue load), adds it to the cost (`#flowmage.solver.imbalanceWeight#`) and rejects candidates over `#flowmage.solver.maxImbalance#`. Empty: no trace.",
        },
        imbalanceWeight: {
          type: 'number',
          default: 2,
          minimum: 0,
          markdownDescription:
            'With a trace: cost added per unit of imbalance above 1, i.e. `weight × (max / mean queue load − 1)`. At 2, a candidate that loads its busiest core twice the mean costs as much as sharing one per-flow element twice. 0 only reports imbalance.',
        },
        maxImbalance: {
          type: 'number',
          default: 2,
          minimum: 0,
          markdownDescription:
            'With a trace: RSS candidates whose busiest queue gets more than this many times the mean load are rejected (the plan says which and why). 0 rejects none. If every candidate is over it, none is rejected.',
        },
        weights: {
          type: 'object',
          properties: {
            perPacket: {
              type: 'number',
              default: 4,
              minimum: 0,
              markdownDescription: 'Cost of sharing the state of an element that writes it on every packet (a lock and a cache-line transfer per packet).',
            },
            perFlow: {
              type: 'number',
              default: 1,
              minimum: 0,
              markdownDescription: 'Cost of sharing the state of an element that writes it only when a flow starts or ends (reads share cache lines cheaply).',
            },
            pointerChasingFactor: {
              type: 'number',
              default: 2,
              minimum: 1,
              markdownDescription: "Multiplies the sharing cost of an element whose state is reached through pointers (dependent loads that miss in other cores' caches).",
            },
          },
        },
      },
    },
    rewrite: {
      type: 'object',
      properties: {
        rssParameter: {
          type: 'string',
          default: 'HASHFUNC',
          pattern: '\\S',
          markdownDescription: 'The `FromDPDKDevice` keyword that selects the RSS fields, as FlowMage\'s FastClick fork reads it (`HASHFUNC "src_ip dst_ip"`).',
        },
        target: {
          type: 'string',
          enum: REWRITE_TARGETS,
          default: 'auto',
          markdownDescription:
            "How Optimize chain writes the plan. `auto`: per element, from what its indexed source reads (the fork's `HASHFUNC`/`SHARED`, else `MODE flow` + a DPDK flow rules file, else a sibling class with the other threading model). `flowmage-fork`: always `HASHFUNC`/`SHARED`. `fastclick`: only what upstream FastClick reads.",
        },
        swapClasses: {
          type: 'boolean',
          default: false,
          markdownDescription:
            'Let Optimize chain replace an element class by a sibling with the other threading model (for example a shared flow manager by its per-thread variant) when the element reads no sharing parameter. Off by default: a sibling is another implementation, and the plan only names it.',
        },
        sharedParameter: {
          type: 'string',
          default: 'SHARED',
          pattern: '\\S',
          markdownDescription: 'The keyword that tells a stateful element to share its state across cores (`SHARED true`) or keep it per core (`SHARED false`).',
        },
      },
    },
    llm: {
      type: 'object',
      properties: {
        enabled: {
          type: 'boolean',
          restricted: true,
          default: false,
          markdownDescription:
            "Ask an LLM for element features and complexity comparisons (FlowMage's method) beside the static analysis. Sends element source code to `#flowmage.llm.baseUrl#`; never in an untrusted workspace.",
        },
        baseUrl: {
          type: 'string',
          restricted: true,
          default: '',
          markdownDescription:
            'OpenAI-compatible endpoint (empty = OpenAI). Azure OpenAI, Ollama (`http://localhost:11434/v1`), vLLM, LM Studio and similar work; local endpoints need no API key.',
        },
        model: {
          type: 'string',
          default: 'gpt-4o',
          pattern: '\\S',
          markdownDescription: 'Model name sent to the endpoint. A change invalidates cached answers.',
        },
        temperature: {
          type: 'number',
          default: 0,
          minimum: 0,
          maximum: 2,
          markdownDescription: 'Sampling temperature; near 0 as in the paper, for repeatable answers.',
        },
        samples: {
          type: 'integer',
          default: 1,
          minimum: 1,
          maximum: 9,
          markdownDescription: 'Answers asked per element; each feature is decided by majority vote (ties go to the safe side).',
        },
        maxInputTokens: {
          type: 'integer',
          default: 16000,
          minimum: 500,
          markdownDescription: 'Largest prompt sent. Elements and complexity comparisons over this are skipped with a message.',
        },
        concurrency: {
          type: 'integer',
          default: 4,
          minimum: 1,
          maximum: 32,
          markdownDescription: 'How many LLM requests may run at once.',
        },
        timeoutSeconds: {
          type: 'number',
          default: 60,
          minimum: 0.1,
          markdownDescription: 'How long to wait for one answer before giving up on it.',
        },
        maxRetries: {
          type: 'integer',
          default: 3,
          minimum: 0,
          maximum: 10,
          markdownDescription: 'Retries after rate limiting (honouring `Retry-After`), server errors and broken connections. Other client errors are not retried.',
        },
        complexityComparison: {
          type: 'boolean',
          default: true,
          markdownDescription: "When the solver ties, ask the LLM which element needs more processing per packet (the paper's CCE); otherwise a static estimate breaks the tie.",
        },
      },
    },
    sourcePaths: {
      type: 'array',
      restricted: true,
      default: [],
      items: { type: 'string' },
      markdownDescription:
        'Directories (or files) holding the C++ sources of FastClick elements, for example a FastClick checkout or a folder of your own elements. Relative paths are resolved against the first workspace folder. When empty, the workspace folders are indexed.',
    },
    index: {
      type: 'object',
      properties: {
        maxFileSizeKB: {
          type: 'integer',
          default: 2048,
          minimum: 1,
          markdownDescription:
            "C++ files larger than this (in KB) are skipped with a warning: parsing a huge file could exhaust the parser's memory. FastClick's largest source is under 300 KB.",
        },
      },
    },
    store: {
      type: 'object',
      properties: {
        path: {
          type: 'string',
          default: '.flowmage/features.json',
          restricted: true,
          markdownDescription:
            "Where the feature store (the features found for every element, and the code-slice hash they were computed from) is kept, relative to the first workspace folder. It must stay inside the workspace folder or the extension's storage, with no symbolic link on the way; otherwise features are kept in memory. Empty keeps features in memory only.",
        },
      },
    },
  },
} as const;

// ---- Types, derived from the schema ----

/** The TypeScript type of a value a JSON schema node accepts (the keywords used above). */
export type FromSchema<S> = S extends { enum: readonly (infer E)[] }
  ? E
  : S extends { type: 'string' }
    ? string
    : S extends { type: 'number' | 'integer' }
      ? number
      : S extends { type: 'boolean' }
        ? boolean
        : S extends { type: 'array'; items: infer I }
          ? FromSchema<I>[]
          : S extends { type: 'object'; properties: infer P }
            ? { -readonly [K in keyof P]: FromSchema<P[K]> }
            : S extends { type: 'object' }
              ? Record<string, unknown>
              : unknown;

/** Every setting, defaults filled in, each value valid for its schema. */
export type Settings = FromSchema<typeof SETTINGS_SCHEMA>;

type LeafPaths<S, P extends string> = S extends { default: unknown }
  ? P
  : S extends { properties: infer Props }
    ? { [K in keyof Props & string]: LeafPaths<Props[K], P extends '' ? K : `${P}.${K}`> }[keyof Props & string]
    : never;

/** `solver.weights.perPacket` etc.: the path of each setting in `Settings`. */
export type SettingPath = LeafPaths<typeof SETTINGS_SCHEMA, ''>;
/** `flowmage.solver.weights.perPacket` etc.: the id users write. */
export type SettingId = `flowmage.${SettingPath}`;

/** The id of a setting, for messages that tell the user what to change (type-checked against the schema). */
export function settingId(path: SettingPath): SettingId {
  return `flowmage.${path}`;
}

// ---- Walking the schema ----

export interface SettingSchema {
  default: unknown;
  markdownDescription: string;
  type?: string;
  enum?: readonly unknown[];
  restricted?: boolean;
  clientOnly?: boolean;
  [keyword: string]: unknown;
}

export interface SettingLeaf {
  id: SettingId;
  path: string[];
  schema: SettingSchema;
}

let leaves: SettingLeaf[] | undefined;

/** Every setting in schema order (the order of package.json and of VS Code's settings UI). */
export function settingLeaves(): readonly SettingLeaf[] {
  if (leaves) return leaves;
  const out: SettingLeaf[] = [];
  const walk = (node: Record<string, unknown>, path: string[]) => {
    if ('default' in node) {
      out.push({ id: `flowmage.${path.join('.')}` as SettingId, path, schema: node as SettingSchema });
      return;
    }
    const props = node.properties as Record<string, Record<string, unknown>> | undefined;
    if (!props) throw new Error(`settings schema: ${path.join('.') || 'the root'} has neither a default nor properties`);
    for (const [key, child] of Object.entries(props)) walk(child, [...path, key]);
  };
  walk(SETTINGS_SCHEMA as unknown as Record<string, unknown>, []);
  return (leaves = out);
}

export function defaultSettings(): Settings {
  const out: Record<string, unknown> = {};
  for (const leaf of settingLeaves()) setPath(out, leaf.path, structuredClone(leaf.schema.default));
  return out as Settings;
}

// ---- Validation ----

/** Keywords in the schema that are for VS Code or for the manifest, not for validation. */
export const ANNOTATIONS = ['markdownDescription', 'enumDescriptions', 'scope', 'restricted', 'clientOnly', 'order', 'deprecationMessage', 'markdownDeprecationMessage'];

let ajv: Ajv | undefined;
const validators = new Map<string, ValidateFunction>();

/** Compiled on first use: a start-up pays only for the settings that are set to other than their default. */
function validator(leaf: SettingLeaf): ValidateFunction {
  let v = validators.get(leaf.id);
  if (!v) {
    if (!ajv) {
      // The schema itself is checked by test/unit/settings.test.ts; checking it here against the
      // meta-schema would cost about 300 ms at every start.
      ajv = new Ajv({ allErrors: false, strict: true, validateSchema: false });
      ajv.addVocabulary(ANNOTATIONS);
    }
    v = ajv.compile(leaf.schema);
    validators.set(leaf.id, v);
  }
  return v;
}

/** One source of raw settings, highest precedence first (a CLI flag, a config file, the editor). */
export interface SettingsLayer {
  /** Where the values come from, for messages (`.flowmage/config.json`). */
  name: string;
  /** Nested (`{ solver: { nicProfile } }`), flat (`{ "flowmage.solver.nicProfile": ... }`) or mixed. */
  values: unknown;
}

/**
 * The settings from raw values as VS Code sends them (or any client): nested, flat ids or a mix. A
 * value its schema rejects is reported in `problems` and replaced by the default (never thrown).
 */
export function readSettings(raw: unknown, problems: string[] = []): Settings {
  return readSettingsLayers([{ name: '', values: raw }], problems);
}

/**
 * The settings from several sources (CLI flags, config files), highest precedence first. Each
 * setting comes from the first layer that sets it; a value its schema rejects is reported and
 * replaced by the default, not by a lower layer's value. Unset settings take their default.
 */
export function readSettingsLayers(layers: readonly SettingsLayer[], problems: string[] = []): Settings {
  const out = defaultSettings() as Record<string, unknown>;
  for (const leaf of settingLeaves()) {
    for (const layer of layers) {
      const value = lookup(layer.values, leaf.path);
      if (value === undefined || value === null) continue;
      // VS Code sends every setting, defaults included: those need no validator.
      if (isDeepStrictEqual(value, leaf.schema.default)) break;
      const validate = validator(leaf);
      if (validate(value)) setPath(out, leaf.path, structuredClone(value));
      else {
        const where = layer.name ? ` in ${layer.name}` : '';
        problems.push(
          `Setting ${leaf.id}${where} has an invalid value ${JSON.stringify(value)} (${describeErrors(validate.errors)}); using the default ${JSON.stringify(leaf.schema.default)}.`,
        );
      }
      break;
    }
  }
  return out as Settings;
}

/** Keys of raw values that name no setting (a typo in a config file), as dotted ids. */
export function unknownSettingKeys(values: unknown): string[] {
  const out: string[] = [];
  const ids = settingLeaves().map((l) => l.path.join('.'));
  const walk = (node: unknown, prefix: string) => {
    if (!node || typeof node !== 'object' || Array.isArray(node)) return;
    for (const [key, value] of Object.entries(node)) {
      let path = prefix ? `${prefix}.${key}` : key;
      if (!prefix && (path === 'flowmage' || path.startsWith('flowmage.'))) path = path.slice('flowmage.'.length);
      if (path === '' || path === 'flowmage') walk(value, '');
      else if (ids.includes(path)) continue;
      else if (ids.some((id) => id.startsWith(path + '.'))) walk(value, path);
      else out.push(`flowmage.${path}`);
    }
  };
  walk(values, '');
  return out;
}

function describeErrors(errors: ErrorObject[] | null | undefined): string {
  const e = errors?.[0];
  if (!e) return 'not valid';
  const at = e.instancePath ? `at ${e.instancePath}: ` : '';
  if (e.keyword === 'enum') return `${at}must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
  if (e.keyword === 'pattern' && e.params && (e.params as { pattern: string }).pattern === '\\S') return `${at}must not be blank`;
  return `${at}${e.message ?? 'not valid'}`;
}

/**
 * The value at a setting's path, whether the keys are nested (`{ solver: { weights: { perFlow } } }`),
 * dotted (`{ "solver.weights.perFlow": 1 }`), prefixed with `flowmage.` or a mix of these.
 */
function lookup(raw: unknown, path: string[]): unknown {
  const found = lookupIn(raw, ['flowmage', ...path]);
  return found !== undefined ? found : lookupIn(raw, path);
}

function lookupIn(node: unknown, path: string[]): unknown {
  if (path.length === 0) return node;
  if (!node || typeof node !== 'object' || Array.isArray(node)) return undefined;
  const obj = node as Record<string, unknown>;
  // Longest dotted key first: `"flowmage.solver.nicProfile"` before `"flowmage"` → `"solver"`.
  for (let n = path.length; n >= 1; n--) {
    const key = path.slice(0, n).join('.');
    if (!Object.prototype.hasOwnProperty.call(obj, key)) continue;
    const found = lookupIn(obj[key], path.slice(n));
    if (found !== undefined) return found;
  }
  return undefined;
}

function setPath(target: Record<string, unknown>, path: string[], value: unknown): void {
  let cur = target;
  for (const key of path.slice(0, -1)) cur = (cur[key] ??= {}) as Record<string, unknown>;
  cur[path[path.length - 1]] = value;
}

// ---- The manifest ----

/** The `contributes.configuration.properties` object package.json must carry. */
export function manifestProperties(): Record<string, unknown> {
  const props: Record<string, unknown> = {};
  for (const { id, schema } of settingLeaves()) {
    const { clientOnly: _clientOnly, restricted: _restricted, ...rest } = schema;
    props[id] = JSON.parse(JSON.stringify(rest));
  }
  return props;
}

/** package.json's `capabilities.untrustedWorkspaces.restrictedConfigurations`. */
export function restrictedSettings(): SettingId[] {
  return settingLeaves()
    .filter((l) => l.schema.restricted)
    .map((l) => l.id);
}
