// Shapes shared by the LLM client, the prompts and the extractor.
import type { CoreFeatures, FlowField, Intensity } from '../analysis/features';

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface LlmSettings {
  enabled: boolean;
  /** Empty = OpenAI's default endpoint. */
  baseUrl: string;
  model: string;
  temperature: number;
  samples: number;
  maxInputTokens: number;
  concurrency: number;
  timeoutSeconds: number;
  /** Retries after the first attempt for 429, 5xx and connection failures. */
  maxRetries: number;
}

/** What the LLM says about one element, after validation. */
export interface LlmFeatureAnswer extends CoreFeatures {
  stateObjects: Array<{ name: string; keyFields: FlowField[]; writes: Intensity | 'none'; pointers: boolean }>;
}

export interface TokenUsage {
  /** Counted locally with the model's tokenizer before sending. */
  promptTokens: number;
  /** As reported by the endpoint when it reports usage, else counted locally. */
  completionTokens: number;
  /** Prompt tokens the endpoint reported, when it did. */
  reportedPromptTokens?: number;
}
