// The JSON the LLM must answer with. The same schema is sent as the structured-output format and
// used to validate the answer (endpoints in JSON mode, and strict mode is not a guarantee).
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import { FLOW_FIELDS, normalizeKey, type FlowField } from '../analysis/features';
import type { LlmFeatureAnswer } from './types';

const fieldList = { type: 'array', items: { type: 'string', enum: [...FLOW_FIELDS] } } as const;

export const FEATURE_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['statefulness', 'flow_key', 'intensity', 'pointer_chasing', 'state_objects'],
  properties: {
    statefulness: { type: 'string', enum: ['stateful', 'stateless'] },
    flow_key: fieldList,
    intensity: { type: 'string', enum: ['per-packet', 'per-flow', 'none'] },
    pointer_chasing: { type: 'boolean' },
    state_objects: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'key', 'writes', 'pointers'],
        properties: {
          name: { type: 'string', maxLength: 200 },
          key: fieldList,
          writes: { type: 'string', enum: ['per-packet', 'per-flow', 'none'] },
          pointers: { type: 'boolean' },
        },
      },
    },
  },
} as const;

export const COMPLEXITY_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['complexity'],
  properties: { complexity: { type: 'string' } },
} as const;

// Compiled on the first answer, not at load: every start of the server and the CLI loads this
// module, and compiling (with the check against the meta-schema) cost about 60 ms of each.
let compiled: { features: ValidateFunction; complexity: ValidateFunction } | undefined;
function validators(): { features: ValidateFunction; complexity: ValidateFunction } {
  if (!compiled) {
    const ajv = new Ajv({ allErrors: true, strict: true });
    compiled = { features: ajv.compile(FEATURE_SCHEMA), complexity: ajv.compile(COMPLEXITY_SCHEMA) };
  }
  return compiled;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

/** The answer must be one JSON object and nothing else: prose around it is rejected, not mined. */
export function parseJsonOnly(content: string): Parsed<unknown> {
  const text = content.trim();
  if (!text) return { ok: false, reason: 'the answer is empty' };
  if (!text.startsWith('{')) {
    return { ok: false, reason: 'the answer is not a bare JSON object (it has text or code fences around it)' };
  }
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (err) {
    return { ok: false, reason: `the answer is not valid JSON (${(err as Error).message})` };
  }
}

function describe(errors: ErrorObject[] | null | undefined): string {
  return (errors ?? [])
    .slice(0, 5)
    .map((e) => {
      const at = e.instancePath ? e.instancePath.replace(/^\//, '').replace(/\//g, '.') : 'the answer';
      if (e.keyword === 'enum') return `${at} must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.join(', ')}`;
      if (e.keyword === 'additionalProperties') return `${at} has an unexpected field "${(e.params as { additionalProperty: string }).additionalProperty}"`;
      if (e.keyword === 'required') return `${at} is missing "${(e.params as { missingProperty: string }).missingProperty}"`;
      return `${at} ${e.message}`;
    })
    .join('; ');
}

export function parseFeatureAnswer(content: string): Parsed<LlmFeatureAnswer> {
  const json = parseJsonOnly(content);
  if (!json.ok) return json;
  const validateFeatures = validators().features;
  if (!validateFeatures(json.value)) return { ok: false, reason: describe(validateFeatures.errors) };
  const v = json.value as {
    statefulness: 'stateful' | 'stateless';
    flow_key: FlowField[];
    intensity: 'per-packet' | 'per-flow' | 'none';
    pointer_chasing: boolean;
    state_objects: Array<{ name: string; key: FlowField[]; writes: 'per-packet' | 'per-flow' | 'none'; pointers: boolean }>;
  };
  const stateful = v.statefulness === 'stateful';
  return {
    ok: true,
    value: {
      stateful,
      // A stateless element has no key and no intensity, whatever else the model wrote.
      flowKey: stateful ? normalizeKey(v.flow_key) : [],
      intensity: stateful && v.intensity !== 'none' ? v.intensity : null,
      pointerChasing: stateful && v.pointer_chasing,
      stateObjects: v.state_objects.map((o) => ({ name: o.name, keyFields: normalizeKey(o.key), writes: o.writes, pointers: o.pointers })),
    },
  };
}

export function parseComplexityAnswer(content: string, a: string, b: string): Parsed<string> {
  const json = parseJsonOnly(content);
  if (!json.ok) return json;
  const validateComplexity = validators().complexity;
  if (!validateComplexity(json.value)) return { ok: false, reason: describe(validateComplexity.errors) };
  const name = (json.value as { complexity: string }).complexity.trim();
  if (name !== a && name !== b) return { ok: false, reason: `"complexity" must be "${a}" or "${b}", got "${name.slice(0, 80)}"` };
  return { ok: true, value: name };
}
