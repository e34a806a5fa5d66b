// Token counts with the model family's real tokenizer (gpt-tokenizer, pure JS). Encoders are loaded
// on first use: they are megabytes of tables the server should not parse at start-up (the products
// load them from their own bundles beside dist/server.js and dist/cli.js; see esbuild.mjs).
import type { ChatMessage } from './types';

type Encode = (text: string) => number[];
const encoders = new Map<string, Encode>();

/** cl100k_base for GPT-4/GPT-3.5-era models, o200k_base for GPT-4o, GPT-4.1, o-series and anything
 *  unknown (local models have their own tokenizers; o200k is the closer general-purpose estimate). */
export function encodingFor(model: string): 'cl100k_base' | 'o200k_base' {
  return /^(gpt-4(?!o|\.1|\.5)|gpt-3\.5|text-embedding-3|text-embedding-ada)/i.test(model) ? 'cl100k_base' : 'o200k_base';
}

function encoder(name: 'cl100k_base' | 'o200k_base'): Encode {
  let enc = encoders.get(name);
  if (!enc) {
    /* eslint-disable @typescript-eslint/no-require-imports */
    enc = name === 'cl100k_base' ? require('gpt-tokenizer/cjs/encoding/cl100k_base').encode : require('gpt-tokenizer/cjs/encoding/o200k_base').encode;
    encoders.set(name, enc!);
  }
  return enc!;
}

export function countTokens(text: string, model: string): number {
  return encoder(encodingFor(model))(text).length;
}

/** Prompt tokens of a chat request: content tokens plus the chat format's per-message overhead
 *  (3 tokens per message and 3 to prime the reply, as OpenAI documents for these encodings). */
export function countChatTokens(messages: readonly ChatMessage[], model: string): number {
  let n = 3;
  for (const m of messages) n += 3 + countTokens(m.content, model) + countTokens(m.role, model);
  return n;
}
