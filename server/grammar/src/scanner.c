// External scanner for tree-sitter-click (FlowMage).
//
// It lexes configuration strings, which a context-free lexer cannot: they are split into arguments
// at top-level commas. A value runs up to the comma or `)` that is not inside parentheses, brackets,
// quotes (with backslash escapes in double quotes), comments or `\<hex>` blocks; it never includes
// surrounding whitespace or trailing comments, which are left to the grammar's own `comment` token.
// An argument that starts with an upper-case word followed by whitespace and more text starts with a
// keyword (`SIZE 8000000`). A `#` at the start of a line is a directive, lexed by the grammar too.
#include "tree_sitter/parser.h"

#include <stdbool.h>
#include <stdint.h>

enum TokenType {
  CONFIG_KEYWORD,
  CONFIG_TEXT,
  ERROR_SENTINEL,
};

void *tree_sitter_click_external_scanner_create(void) { return NULL; }
void tree_sitter_click_external_scanner_destroy(void *payload) { (void)payload; }
unsigned tree_sitter_click_external_scanner_serialize(void *payload, char *buffer) {
  (void)payload;
  (void)buffer;
  return 0;
}
void tree_sitter_click_external_scanner_deserialize(void *payload, const char *buffer, unsigned length) {
  (void)payload;
  (void)buffer;
  (void)length;
}

static inline bool is_space(int32_t c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }
static inline bool is_upper(int32_t c) { return c >= 'A' && c <= 'Z'; }
static inline bool is_digit(int32_t c) { return c >= '0' && c <= '9'; }
static inline bool is_keyword_char(int32_t c) { return is_upper(c) || is_digit(c) || c == '_'; }
static inline void advance(TSLexer *lexer) { lexer->advance(lexer, false); }

// After `/*` has been consumed: up to and including `*/`, or to the end of the file.
static void skip_block_comment_body(TSLexer *lexer) {
  while (!lexer->eof(lexer)) {
    if (lexer->lookahead == '*') {
      advance(lexer);
      if (lexer->lookahead == '/') {
        advance(lexer);
        return;
      }
    } else {
      advance(lexer);
    }
  }
}

// After `//` has been consumed: up to the end of the line (the newline is not included).
static void skip_line_comment_body(TSLexer *lexer) {
  while (!lexer->eof(lexer) && lexer->lookahead != '\n' && lexer->lookahead != '\r') advance(lexer);
}

// After `\<` has been consumed: up to and including `>`; comments inside are skipped.
static void skip_hex_block_body(TSLexer *lexer) {
  while (!lexer->eof(lexer)) {
    int32_t c = lexer->lookahead;
    if (c == '>') {
      advance(lexer);
      return;
    }
    advance(lexer);
    if (c == '/' && lexer->lookahead == '*') {
      advance(lexer);
      skip_block_comment_body(lexer);
    } else if (c == '/' && lexer->lookahead == '/') {
      advance(lexer);
      skip_line_comment_body(lexer);
    }
  }
}

// After the opening quote has been consumed: up to and including the closing quote, or to EOF.
static void skip_quoted_body(TSLexer *lexer, int32_t quote) {
  while (!lexer->eof(lexer)) {
    int32_t c = lexer->lookahead;
    advance(lexer);
    if (c == quote) return;
    if (c == '\\' && quote == '"' && !lexer->eof(lexer)) {
      if (lexer->lookahead == '<') {
        advance(lexer);
        skip_hex_block_body(lexer);
      } else {
        advance(lexer);
      }
    }
  }
}

// Scans one chunk of an argument value. `consumed` says whether significant text was already
// consumed (and marked) by the caller. Returns whether the chunk holds any significant text.
static bool scan_value(TSLexer *lexer, bool consumed) {
  unsigned parens = 0;
  unsigned brackets = 0;
  bool at_line_start = false;
  for (;;) {
    if (lexer->eof(lexer)) return consumed;
    int32_t c = lexer->lookahead;
    if (is_space(c)) {
      advance(lexer);
      if (c == '\n' || c == '\r') at_line_start = true;
      continue;
    }
    // A `#` line directive in the middle of a value ends this chunk; the directive is an extra.
    if (c == '#' && at_line_start) return consumed;
    at_line_start = false;
    if (c == ',' && parens == 0 && brackets == 0) return consumed;
    if (c == ')') {
      if (parens == 0) return consumed;
      parens--;
      advance(lexer);
    } else if (c == '(') {
      parens++;
      advance(lexer);
    } else if (c == '[') {
      brackets++;
      advance(lexer);
    } else if (c == ']') {
      if (brackets > 0) brackets--;
      advance(lexer);
    } else if (c == '"' || c == '\'') {
      advance(lexer);
      skip_quoted_body(lexer, c);
    } else if (c == '\\') {
      advance(lexer);
      if (lexer->lookahead == '<') {
        advance(lexer);
        skip_hex_block_body(lexer);
      } else if (!lexer->eof(lexer)) {
        advance(lexer);
      }
    } else if (c == '/') {
      advance(lexer);
      if (lexer->lookahead == '*') {
        // A comment is part of the value only if more value text follows it (mark_end is not moved).
        advance(lexer);
        skip_block_comment_body(lexer);
        continue;
      }
      if (lexer->lookahead == '/') {
        advance(lexer);
        skip_line_comment_body(lexer);
        continue;
      }
    } else {
      advance(lexer);
    }
    consumed = true;
    lexer->mark_end(lexer);
  }
}

// At the start of an argument: a keyword (`SIZE` in `SIZE 8000000`) or the start of a value.
static bool scan_argument_start(TSLexer *lexer, const bool *valid_symbols) {
  int32_t first = lexer->lookahead;
  if (!(is_upper(first) || first == '_') || !valid_symbols[CONFIG_KEYWORD]) {
    if (!valid_symbols[CONFIG_TEXT]) return false;
    lexer->result_symbol = CONFIG_TEXT;
    return scan_value(lexer, false);
  }
  while (is_keyword_char(lexer->lookahead)) advance(lexer);
  lexer->mark_end(lexer);
  if (is_space(lexer->lookahead)) {
    // A keyword needs a value after it: look past whitespace and comments without moving the mark.
    for (;;) {
      while (is_space(lexer->lookahead)) advance(lexer);
      if (lexer->lookahead != '/') break;
      advance(lexer);
      if (lexer->lookahead == '*') {
        advance(lexer);
        skip_block_comment_body(lexer);
      } else if (lexer->lookahead == '/') {
        advance(lexer);
        skip_line_comment_body(lexer);
      } else {
        // A `/` that starts the value.
        lexer->result_symbol = CONFIG_KEYWORD;
        return true;
      }
    }
    int32_t next = lexer->lookahead;
    if (!lexer->eof(lexer) && next != ',' && next != ')') {
      lexer->result_symbol = CONFIG_KEYWORD;
      return true;
    }
    // `WORD` alone: a positional value that ends at the mark.
    lexer->result_symbol = CONFIG_TEXT;
    return true;
  }
  // Not followed by whitespace (`FOO,`, `Foo bar`, `A:B`): a positional value that goes on.
  if (!valid_symbols[CONFIG_TEXT]) return false;
  lexer->result_symbol = CONFIG_TEXT;
  return scan_value(lexer, true);
}

bool tree_sitter_click_external_scanner_scan(void *payload, TSLexer *lexer, const bool *valid_symbols) {
  (void)payload;
  // During error recovery every symbol is valid: configuration text is not recognised then, so that
  // a broken configuration does not swallow the text after it.
  if (valid_symbols[ERROR_SENTINEL]) return false;
  if (!valid_symbols[CONFIG_TEXT] && !valid_symbols[CONFIG_KEYWORD]) return false;

  while (is_space(lexer->lookahead)) lexer->advance(lexer, true);
  if (lexer->eof(lexer)) return false;

  int32_t c = lexer->lookahead;
  // Comments and line directives between arguments belong to the grammar's own tokens.
  if (c == '#' && lexer->get_column(lexer) == 0) return false;
  if (c == '/') {
    advance(lexer);
    if (lexer->lookahead == '/' || lexer->lookahead == '*') return false;
    // A value that starts with `/` (a path, say).
    if (!valid_symbols[CONFIG_TEXT]) return false;
    lexer->mark_end(lexer);
    lexer->result_symbol = CONFIG_TEXT;
    return scan_value(lexer, true);
  }
  if (c == ',' || c == ')') return false;
  if (valid_symbols[CONFIG_KEYWORD]) return scan_argument_start(lexer, valid_symbols);
  lexer->result_symbol = CONFIG_TEXT;
  return scan_value(lexer, false);
}
