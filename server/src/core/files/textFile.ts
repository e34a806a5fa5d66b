// Text files that are rewritten must round-trip byte for byte outside the edits. They are decoded
// strictly: a file that is not valid UTF-8 is refused (rewriting decoded text would turn each bad
// byte into U+FFFD), and a byte-order mark is kept in the text (LineIndex skips it) so it is
// written back as it was.

export class TextDecodeError extends Error {
  constructor(
    message: string,
    /** Offset of the first byte that is not valid UTF-8. */
    readonly byteOffset: number,
  ) {
    super(message);
  }
}

const BOM = 0xfeff;

/** Decodes UTF-8, keeping a BOM as U+FEFF; throws TextDecodeError naming the first bad byte. */
export function decodeUtf8Strict(bytes: Uint8Array, name = 'the file'): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    const at = firstInvalidByte(bytes);
    let line = 1;
    for (let i = 0; i < at; i++) if (bytes[i] === 10) line++;
    const hex = bytes[at]?.toString(16).padStart(2, '0') ?? '??';
    throw new TextDecodeError(`${name} is not valid UTF-8 (byte 0x${hex} at offset ${at}, line ${line}); convert it to UTF-8 first, it is not rewritten`, at);
  }
}

/** The text's bytes; a U+FEFF kept at the start becomes the UTF-8 byte-order mark again. */
export function encodeUtf8(text: string): Buffer {
  return Buffer.from(text, 'utf8');
}

export function hasBom(text: string): boolean {
  return text.charCodeAt(0) === BOM;
}

/** `\r\n` when the text's first line break is CRLF, else `\n`. */
export function lineEnding(text: string): '\n' | '\r\n' {
  const lf = text.indexOf('\n');
  return lf > 0 && text.charCodeAt(lf - 1) === 13 ? '\r\n' : '\n';
}

/** The length of the longest prefix that is valid UTF-8 (binary search; only runs on failure). */
function firstInvalidByte(bytes: Uint8Array): number {
  const ok = (n: number) => {
    try {
      // stream: an incomplete sequence at the end of the prefix is not an error.
      new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes.subarray(0, n), { stream: true });
      return true;
    } catch {
      return false;
    }
  };
  let lo = 0;
  let hi = bytes.length;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (ok(mid)) lo = mid;
    else hi = mid - 1;
  }
  // lo bytes decode, maybe ending inside a sequence: then that sequence's lead byte is the bad one.
  let at = lo;
  while (at > 0 && at > lo - 3 && (bytes[at - 1] & 0xc0) === 0x80) at--;
  const lead = bytes[at - 1];
  const length = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : 2;
  if (at > 0 && lead >= 0xc0 && at - 1 + length > lo) return at - 1;
  return Math.min(lo, bytes.length - 1);
}
