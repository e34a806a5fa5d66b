/**
 * @file tree-sitter grammar for the Click / FastClick configuration language (FlowMage).
 *
 * Written from click(5) and the behaviour of Click's lexer (see docs/ARCHITECTURE.md §4):
 * statements are chains of element sets joined by connectors, semicolons are optional, element
 * groups `( ... )` and compound classes `{ ... }` nest statements, and configuration strings are
 * split into arguments by the external scanner (src/scanner.c).
 *
 * File-scope chains must start and end with an element. Inside groups and compounds a chain may
 * start with `->` or `[n] ->` (an implicit `input`) and end with `->` or `-> [n]` (an implicit
 * `output`); such an open-ended chain must be followed by `;` or by the end of the body, so that a
 * stray `a -> -> b` is a syntax error as it is for Click.
 */

const commaSep1 = (rule) => seq(rule, repeat(seq(',', rule)));

module.exports = grammar({
  name: 'click',

  // No `word` (keyword extraction): tree-sitter only reuses a subtree whose first token is a word
  // token if it was lexed in the very same parse state, which defeats incremental parsing of a file
  // of many statements. The keywords are plain string tokens, which win over `identifier` on equal
  // length, so `elementclass2` is still a name.

  // Only configuration strings need the external scanner. Comments and `#` directives are regular
  // tokens on purpose: tree-sitter never reuses a subtree whose first token is lexed in a state where
  // external tokens are valid, so external extras (valid everywhere) would defeat incremental parsing.
  externals: ($) => [$.config_keyword, $._config_text, $._error_sentinel],

  extras: ($) => [/\s/, $.comment, $.line_directive],

  conflicts: () => [],

  rules: {
    source_file: ($) => repeat($._statement),

    _statement: ($) =>
      choice(
        $.connection,
        $.element_statement,
        $.elementclass_definition,
        $.require_statement,
        $.define_statement,
        $.provide_statement,
        ';',
      ),

    // ---- chains -------------------------------------------------------------------------------

    connection: ($) => seq($._element_set, repeat1(seq($.connector, $._element_set))),

    // Lower precedence than a chain: in a body, `a -> b` continues a chain rather than ending at `a`.
    element_statement: ($) => prec(-1, $._element_set),

    _element_set: ($) => prec.right(commaSep1($.element)),

    connector: (_) => token(choice('->', '=>', /~[A-Za-z0-9_\/]*>/)),

    // Statements inside a group or a compound body.
    _nested_body: ($) =>
      choice(
        seq(repeat1($._nested_item), optional(alias($._open_chain, $.connection))),
        alias($._open_chain, $.connection),
      ),

    _nested_item: ($) =>
      choice(
        alias($._nested_chain, $.connection),
        $.element_statement,
        $.elementclass_definition,
        $.require_statement,
        $.define_statement,
        $.provide_statement,
        seq(alias($._open_chain, $.connection), ';'),
        ';',
      ),

    // A chain that ends with an element; it may start at an implicit `input` (`-> x`, `[1] -> x`).
    _nested_chain: ($) =>
      seq(
        optional(choice($._element_set, $.port)),
        $.connector,
        repeat(prec(1, seq($._element_set, $.connector))),
        $._element_set,
      ),

    // A chain that ends at an implicit `output` (`x ->`, `x -> [1]`, or just `->`).
    _open_chain: ($) =>
      seq(
        optional(choice($._element_set, $.port)),
        $.connector,
        repeat(prec(1, seq($._element_set, $.connector))),
        optional($.port),
      ),

    // ---- elements -----------------------------------------------------------------------------

    element: ($) =>
      prec.right(
        seq(
          optional(field('input_port', $.port)),
          // A bare name is a declared element or an anonymous element of that class: the model decides.
          choice($.declaration, $.instance, alias($.identifier, $.element_ref), $.group, $.compound),
          optional(field('output_port', $.port)),
        ),
      ),

    // `name :: Class(config)`; the class may be an inline compound `name :: { ... }`.
    declaration: ($) =>
      prec.right(
        seq(
          field('name', alias($.identifier, $.element_name)),
          '::',
          field('class', choice(alias($.identifier, $.class_name), $.compound)),
          optional(field('config', $.config)),
        ),
      ),

    // An anonymous element written with a configuration: `Class(config)`.
    instance: ($) =>
      prec(1, seq(field('class', choice(alias($.identifier, $.class_name), $.compound)), field('config', $.config))),

    group: ($) => seq('(', optional($._nested_body), ')'),

    compound: ($) =>
      seq(
        '{',
        optional($.compound_body),
        repeat(seq('||', optional($.compound_body))),
        optional(seq('||', $.ellipsis)),
        '}',
      ),

    compound_body: ($) => choice(seq($.formals, optional($._nested_body)), $._nested_body),

    formals: ($) => seq(optional(commaSep1($.formal)), '|'),

    formal: ($) =>
      seq(optional(field('keyword', alias($.identifier, $.formal_keyword))), field('name', $.variable)),

    ellipsis: (_) => '...',

    // `[0]`, `[0,1]`, `[0-2]`, `[]`. Port numbers are lexed as words, as Click does; the model
    // reports the ones that are not numbers.
    port: ($) => seq('[', optional(commaSep1(choice($.port_range, $._port_number))), ']'),

    port_range: ($) => seq(field('from', $._port_number), '-', field('to', $._port_number)),

    _port_number: ($) => alias($.identifier, $.port_number),

    // ---- configuration strings ----------------------------------------------------------------

    config: ($) => seq('(', optional($.argument), repeat(seq(',', optional($.argument))), ')'),

    argument: ($) => seq(optional(field('keyword', $.config_keyword)), field('value', $.value)),

    // One or more chunks of raw text; a `#` line directive inside a value splits it into chunks.
    value: ($) => repeat1($._config_text),

    // ---- other statements ---------------------------------------------------------------------

    elementclass_definition: ($) =>
      seq(
        'elementclass',
        field('name', alias($.identifier, $.class_name)),
        choice(field('body', $.compound), field('synonym', alias($.identifier, $.class_name))),
      ),

    require_statement: ($) => seq('require', field('config', $.config)),

    define_statement: ($) => seq('define', field('config', $.config)),

    provide_statement: ($) => seq('provide', field('config', $.config)),

    variable: (_) => /\$[A-Za-z0-9_]+/,

    // `//` to the end of the line, `/* */`, and an unterminated `/*` that runs to the end of the file
    // (a token of its own so that the model can say so, instead of a cascade of errors).
    comment: (_) =>
      token(
        choice(
          seq('//', /[^\r\n]*/),
          seq('/*', /[^*]*\*+([^/*][^*]*\*+)*/, '/'),
          seq('/*', /([^*]|\*+[^*\/])*/, /\**/),
        ),
      ),

    // `# 12 "file"`. Click only treats `#` at the start of a line as a directive; the model reports
    // one written elsewhere.
    line_directive: (_) => token(seq('#', /[^\r\n]*/)),

    identifier: (_) => /[A-Za-z0-9_@]+(\/[A-Za-z0-9_@]+)*/,
  },
});
