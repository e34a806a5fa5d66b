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
    const { clientOnly: _clientOnly, ...rest } = spec;
    props[key] = rest;
  }
  return props;
}
