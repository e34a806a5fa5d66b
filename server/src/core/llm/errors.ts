// Errors the LLM layer reports. Messages are meant for people and never contain the API key.

export type LlmErrorKind =
  'disabled' | 'no-key' | 'endpoint-not-allowed' | 'untrusted' | 'cancelled' | 'timeout' | 'http' | 'rate-limited' | 'connection' | 'invalid-answer' | 'too-large';

export class LlmError extends Error {
  constructor(
    readonly kind: LlmErrorKind,
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'LlmError';
  }
}

/** Removes a secret from any text before it is logged or shown. */
export function redact(text: string, secret: string | undefined): string {
  if (!secret || secret.length < 4) return text;
  return text.split(secret).join('***');
}
