import * as assert from 'node:assert';
import { parseClick } from '../../server/src/core/click/clickDocument';
import type { ConfigModel } from '../../server/src/core/click/model';
import { at, fixture, fixtureNames, hookups, textOf } from './clickHelpers';

const names = (m: ConfigModel) => m.elements.map((e) => e.name);
const problems = (m: ConfigModel) => m.problems.map((p) => `${p.code} ${at(m, p.range)} ${p.message}`);

describe('Click configuration model', () => {
  describe('declarations and Click names', () => {
    it('records declared elements with name, class and configuration ranges', async () => {
      const m = await parseClick('psd :: IPortScanDetector(SIZE 8000000, 12/0800)');
      assert.strictEqual(m.elements.length, 1);
      const e = m.elements[0];
      assert.deepStrictEqual([e.name, e.className, e.anonymous, e.scope, e.form], ['psd', 'IPortScanDetector', false, null, 'declaration']);
      assert.strictEqual(textOf(m, e.nameRange), 'psd');
      assert.strictEqual(textOf(m, e.classRange), 'IPortScanDetector');
      assert.strictEqual(textOf(m, e.declarationRange), 'psd :: IPortScanDetector(SIZE 8000000, 12/0800)');
      assert.strictEqual(e.config?.text, 'SIZE 8000000, 12/0800');
      assert.strictEqual(m.text[e.config!.openParenOffset], '(');
      assert.strictEqual(m.text[e.config!.closeParenOffset!], ')');
      const [size, pattern] = e.config!.args;
      assert.deepStrictEqual([size.index, size.keyword, size.value, textOf(m, size.keywordRange), textOf(m, size.range)], [0, 'SIZE', '8000000', 'SIZE', 'SIZE 8000000']);
      // A classifier pattern is one value, not a number and a word.
      assert.deepStrictEqual([pattern.index, pattern.keyword, pattern.value, at(m, pattern.valueRange)], [1, undefined, '12/0800', '1:40-1:47']);
    });

    it('names anonymous elements Class@N, counting every element of the scope as Click does', async () => {
      const m = await parseClick('a :: Idle; Print(x); (-> Paint(1) ->); Tee; Discard');
      // a is 1, Print 2, the group takes 3 (itself and its two tunnels), Paint 6, Tee 7, Discard 8.
      assert.deepStrictEqual(names(m), ['a', 'Print@2', 'Paint@6', 'Tee@7', 'Discard@8']);
      assert.deepStrictEqual(
        m.groups.map((g) => g.name),
        ['@3'],
      );
      assert.ok(m.elements.slice(1).every((e) => e.anonymous && e.form === 'anonymous'));
    });

    it('numbers elements of a set after the groups in that set, as Click creates them', async () => {
      const m = await parseClick('c :: Idle => Paint(1), (-> c2 :: Idle ->) -> post :: Idle;');
      assert.deepStrictEqual(names(m), ['c', 'c2', 'Paint@6', 'post']);
    });

    it('skips a Class@N that is already a declared name', async () => {
      const m = await parseClick('Foo@2 :: Idle; Foo; Foo');
      assert.deepStrictEqual(names(m), ['Foo@2', 'Foo@3', 'Foo@4']);
    });

    it('numbers elements per elementclass body and records their scope', async () => {
      const m = await parseClick('elementclass Foo { $a | elementclass Bar { $b | DriverManager($a); } elementclass Baz { $a | Idle; Bar($a); } Baz(x); } Foo(stop);');
      assert.deepStrictEqual(
        m.elements.map((e) => `${e.scope}/${e.name}`),
        ['Bar/DriverManager@1', 'Baz/Idle@1', 'Baz/Bar@2', 'Foo/Baz@1', 'null/Foo@1'],
      );
      const scopes = m.scopes.map((s) => `${s.id}:${s.kind}:${s.name}:${s.parentId}`);
      assert.deepStrictEqual(scopes, ['0:file:null:null', '1:elementclass:Foo:0', '2:elementclass:Bar:1', '3:elementclass:Baz:1']);
      assert.strictEqual(m.elements[0].scopeId, 2);
    });

    it('gives every name of `a, b :: C(cfg)` the class and configuration of the last', async () => {
      const m = await parseClick('c0, c1 :: Classifier(12/0806, -)');
      assert.deepStrictEqual(
        m.elements.map((e) => `${e.name}:${e.className}:${e.form}:${e.sharedWith ?? ''}`),
        ['c0:Classifier:shared-declaration:c1', 'c1:Classifier:declaration:'],
      );
      assert.deepStrictEqual(
        m.elements[0].config?.args.map((a) => a.value),
        ['12/0806', '-'],
      );
      assert.strictEqual(textOf(m, m.elements[0].nameRange), 'c0');
    });

    it('tells declarations, references and anonymous classes apart among bare names', async () => {
      const text = 'q :: Queue; src :: InfiniteSource -> q -> Unqueue -> Discard; q2 :: Queue -> q3';
      const m = await parseClick(text);
      assert.deepStrictEqual(names(m), ['q', 'src', 'Unqueue@3', 'Discard@4', 'q2']);
      const q3 = text.indexOf('q3') + 1;
      assert.deepStrictEqual(problems(m), [`undeclared-element 1:${q3}-1:${q3 + 2} \`q3\` is not declared: declare it with \`q3 :: Class\` before using it`]);
      const use = text.indexOf('-> q ') + 4;
      const refs = m.references.filter((r) => r.name === 'q');
      assert.deepStrictEqual(
        refs.map((r) => [r.isDeclaration, r.target, at(m, r.range)]),
        [
          [true, 0, '1:1-1:2'],
          [false, 0, `1:${use}-1:${use + 1}`],
        ],
      );
      assert.strictEqual(m.connections[1].from.kind, 'element');
      assert.strictEqual(m.connections[m.connections.length - 1].to.kind, 'undeclared');
    });

    it('records inline compounds as elements with a scope of their own', async () => {
      const m = await parseClick('a :: Idle -> p :: { input -> Paint(1) -> output } -> { -> Print(x) -> } -> Discard');
      assert.deepStrictEqual(
        m.elements.map((e) => `${e.name}:${e.form}:${e.scope}`),
        ['a:declaration:null', 'p:declaration:null', 'Paint@1:anonymous:{p}', '@3:compound:null', 'Print@1:anonymous:{@3}', 'Discard@4:anonymous:null'],
      );
      assert.deepStrictEqual(
        m.scopes.map((s) => `${s.kind}:${s.name}`),
        ['file:null', 'compound:{p}', 'compound:{@3}'],
      );
    });
  });

  describe('connections and ports', () => {
    it('expands port lists, ranges, many-to-one and => as Click does', async () => {
      const m = await parseClick('a, b, c :: Idle; p, q :: PullNull; a, a[1] -> b -> p, q; p -> [0]c, [1]c; q -> [2]c; a => b, c, [0,1] a;');
      assert.deepStrictEqual(hookups(m), [
        'a[0] -> [0]b',
        'a[1] -> [0]b',
        'b[0] -> [0]p',
        'b[0] -> [0]q',
        'p[0] -> [0]c',
        'p[0] -> [1]c',
        'q[0] -> [2]c',
        'a[0] => [0]b',
        'a[1] => [0]c',
        'a[2] => [0]a',
        'a[3] => [1]a',
      ]);
      assert.deepStrictEqual(m.problems, []);
      const last = m.connections[m.connections.length - 1];
      assert.deepStrictEqual(last.from.ports, []);
      assert.deepStrictEqual(last.to.ports, [0, 1]);
      assert.strictEqual(textOf(m, last.to.portRange), '[0,1]');
    });

    it('expands [0-2] and the expandable []', async () => {
      const m = await parseClick('x, y, z, w :: Idle; x[0-2] => y, z, w; w [] => [0]y, [1]y;');
      assert.deepStrictEqual(hookups(m), ['x[0] => [0]y', 'x[1] => [0]z', 'x[2] => [0]w', 'w[0] => [0]y', 'w[1] => [1]y']);
    });

    it('reports many-to-many with -> and port counts that do not match', async () => {
      const m = await parseClick('a, b, c, d :: Idle; a [0,1] => [0,1,2] b; a, b -> c, d;');
      assert.deepStrictEqual(
        m.problems.map((p) => `${p.code}: ${p.message}`),
        ['connection-mismatch: connection mismatch: 2 outputs connected to 3 inputs', 'connection-mismatch: connecting several outputs to several inputs needs `=>`, not `->`'],
      );
    });

    it('keeps the context name of ~name> arrows', async () => {
      const m = await parseClick('a :: Idle; b :: Idle; c :: Idle; a ~> b ~ctx> c');
      assert.deepStrictEqual(
        m.connections.map((c) => [c.operator, c.contextName]),
        [
          ['~>', undefined],
          ['~>', 'ctx'],
        ],
      );
      assert.strictEqual(textOf(m, m.connections[1].operatorRange), '~ctx>');
    });

    it('connects groups through their input and output', async () => {
      const m = await parseClick('a, d :: Idle; a => (-> c :: Idle), (-> b :: Idle), d;');
      assert.deepStrictEqual(hookups(m), ['input[0] -> [0]c', 'input[0] -> [0]b', 'a[0] => [0]@3', 'a[1] => [0]@7', 'a[2] => [0]d']);
      const inner = m.connections[0];
      assert.deepStrictEqual([inner.from.kind, inner.from.group, inner.from.implicit], ['input', '@3', true]);
      assert.deepStrictEqual([m.connections[2].to.kind], ['group']);
    });

    it('connects the implicit input and output of a compound, with lone ports', async () => {
      const m = await parseClick('elementclass T { [1] -> Paint(1) -> [2]; input[0] -> output }');
      assert.deepStrictEqual(hookups(m), ['input[1] -> [0]Paint@1', 'Paint@1[0] -> [2]output', 'input[0] -> [0]output']);
      assert.deepStrictEqual(
        m.connections.map((c) => [c.from.implicit, c.to.implicit, c.scope]),
        [
          [true, false, 'T'],
          [false, true, 'T'],
          [false, false, 'T'],
        ],
      );
      assert.deepStrictEqual(m.problems, []);
    });

    it('reports ports that are not numbers and empty ranges', async () => {
      const m = await parseClick(fixture('broken', 'names-and-ports.click'));
      assert.deepStrictEqual(problems(m), [
        'undeclared-element 2:22-2:26 `sink` is not declared: declare it with `sink :: Class` before using it',
        'duplicate-declaration 3:1-3:2 `q` is already declared at 2:8',
        'bad-port 5:4-5:7 port `one` is not a number: ports are written `[0]`, `[0,1]` or `[0-2]`',
        'bad-port 6:4-6:7 the port range `1-0` is empty: write the smaller port first',
      ]);
      assert.strictEqual(at(m, m.problems[1].related?.[0].range), '2:8-2:9');
    });

    it('warns about ports that connect to nothing', async () => {
      const m = await parseClick('a :: Idle; b :: Idle; [1]a -> b[2];');
      assert.deepStrictEqual(
        m.problems.map((p) => `${p.severity} ${p.code} ${at(m, p.range)}`),
        ['warning ignored-port 1:23-1:26', 'warning ignored-port 1:32-1:35'],
      );
    });
  });

  describe('element classes, defines and requires', () => {
    it('records formals, overloads, extensions and synonyms', async () => {
      const m = await parseClick(fixture('valid', 'compounds.click'));
      const classes = m.elementClasses.map((c) => ({
        name: c.name,
        formals: c.overloads.map((o) => o.formals.map((f) => `${f.keyword ? `${f.keyword} ` : ''}$${f.name}${f.rest ? '...' : ''}`).join(', ')),
        extends: c.extendsPrevious,
        synonym: c.synonymOf,
        scope: c.scope,
      }));
      assert.deepStrictEqual(classes, [
        { name: 'Counted', formals: ['$label'], extends: false, synonym: undefined, scope: null },
        { name: 'Paced', formals: ['RATE $rate, __REST__ $rest...'], extends: false, synonym: undefined, scope: null },
        { name: 'Tagger', formals: ['$color', '$color, $anno'], extends: false, synonym: undefined, scope: null },
        { name: 'Tagger', formals: ['$color, $anno, $extra'], extends: true, synonym: undefined, scope: null },
        { name: 'Forwarder', formals: [], extends: false, synonym: 'Counted', scope: null },
        { name: 'Splitter', formals: [''], extends: false, synonym: undefined, scope: null },
        { name: 'Half', formals: [''], extends: false, synonym: undefined, scope: 'Splitter' },
      ]);
      assert.deepStrictEqual(m.problems, []);
      // `fwd :: Forwarder(left)` refers to the class Forwarder, declared at line 33.
      const forwarder = m.references.find((r) => r.kind === 'class' && r.name === 'Forwarder' && !r.isDeclaration);
      assert.strictEqual(m.elementClasses[forwarder!.target!].name, 'Forwarder');
      assert.deepStrictEqual(
        m.elements.filter((e) => e.scope === 'Tagger').map((e) => `${e.name}/${e.overload}`),
        ['Paint@1/0', 'Paint@1/1', 'Paint@1/0', 'Print@2/0'],
      );
    });

    it('records defines and expands them in arguments, keeping formals for later', async () => {
      const m = await parseClick(
        'define($port 0, $size ${base-4096}, $rate $size)\nsrc :: FromDPDKDevice($port, SIZE ${size}, X ${nope-7}, Y $unknown)\nelementclass C { $port | input -> Q($port, $rate) -> output }',
      );
      assert.deepStrictEqual(
        m.defines.map((d) => [d.name, d.value, textOf(m, d.nameRange), textOf(m, d.valueRange)]),
        [
          ['port', '0', '$port', '0'],
          ['size', '${base-4096}', '$size', '${base-4096}'],
          ['rate', '$size', '$rate', '$size'],
        ],
      );
      const args = m.elements[0].config!.args;
      assert.deepStrictEqual(
        args.map((a) => [a.value, a.expandedValue]),
        [
          ['$port', '0'],
          ['${size}', '4096'],
          ['${nope-7}', '7'],
          ['$unknown', undefined],
        ],
      );
      assert.deepStrictEqual(
        args[2].variables.map((v) => [v.name, v.defaultValue, textOf(m, v.range)]),
        [['nope', '7', '${nope-7}']],
      );
      // Inside the class $port is the formal: left alone; $rate comes from the file.
      assert.deepStrictEqual(
        m.elements[1].config!.args.map((a) => [a.value, a.expandedValue]),
        [
          ['$port', undefined],
          ['$rate', '4096'],
        ],
      );
    });

    it('reports a define that is not a variable', async () => {
      const m = await parseClick('define(port 0)');
      assert.deepStrictEqual(problems(m), ['bad-define 1:8-1:12 `define` expects `$name value`, and `port` is not a `$variable`']);
    });

    it('records require and provide', async () => {
      const m = await parseClick('require(package "fastclick", dpdk); provide(mine)');
      assert.deepStrictEqual(
        m.requires.map((r) => [r.kind, r.text, r.args.map((a) => a.value)]),
        [
          ['require', 'package "fastclick", dpdk', ['package "fastclick"', 'dpdk']],
          ['provide', 'mine', ['mine']],
        ],
      );
    });
  });

  describe('configuration strings', () => {
    it('splits at top-level commas only, with exact ranges', async () => {
      const text = 'f :: IPFilter(allow (src host a or dst port 80), "x, \\"y\\"", \'p, q\', [1, 2], \\<00, 11>, /* c, d */ deny all // e, f\n, KW  v w)';
      const m = await parseClick(text);
      const args = m.elements[0].config!.args;
      assert.deepStrictEqual(
        args.map((a) => a.value),
        ['allow (src host a or dst port 80)', '"x, \\"y\\""', "'p, q'", '[1, 2]', '\\<00, 11>', 'deny all', 'v w'],
      );
      assert.deepStrictEqual(
        args.map((a) => a.index),
        [0, 1, 2, 3, 4, 5, 6],
      );
      assert.deepStrictEqual([args[6].keyword, textOf(m, args[6].range), at(m, args[6].valueRange)], ['KW', 'KW  v w', '2:7-2:10']);
      for (const a of args) assert.strictEqual(textOf(m, a.valueRange), a.value);
      assert.deepStrictEqual(m.problems, []);
    });

    it('counts empty arguments in the index and keeps an upper-case word alone positional', async () => {
      const m = await parseClick('x :: Foo(a,, RED, ANNO 3,)');
      assert.deepStrictEqual(
        m.elements[0].config!.args.map((a) => [a.index, a.keyword, a.value]),
        [
          [0, undefined, 'a'],
          [2, undefined, 'RED'],
          [3, 'ANNO', '3'],
        ],
      );
    });

    it('reports ranges in UTF-16 code units, as LSP does', async () => {
      const text = '// héllo 😀 wörld\nm :: Message("é😀, ok", X) -> d :: Discard; // ✓\nn :: Message("😀😀") -> q';
      const m = await parseClick(text);
      const [first, second] = m.elements[0].config!.args;
      assert.deepStrictEqual([first.value, at(m, first.valueRange)], ['"é😀, ok"', '2:14-2:23']);
      assert.deepStrictEqual([second.value, at(m, second.valueRange)], ['X', '2:25-2:26']);
      assert.strictEqual(textOf(m, m.elements[1].nameRange), 'd');
      assert.strictEqual(at(m, m.elements[1].nameRange), '2:31-2:32');
      assert.strictEqual(at(m, m.elements[2].config!.args[0].valueRange), '3:14-3:20');
      assert.deepStrictEqual(problems(m), ['undeclared-element 3:25-3:26 `q` is not declared: declare it with `q :: Class` before using it']);
    });
  });

  describe('problems', () => {
    it('finds no problem in the valid fixtures', async () => {
      for (const name of fixtureNames('valid')) {
        const m = await parseClick(fixture('valid', name));
        assert.deepStrictEqual(problems(m), [], name);
        assert.ok(m.elements.length > 0, name);
      }
    });

    const expected: Record<string, string[]> = {
      'unclosed-config.click': ['syntax 3:6-3:31 missing `)` to close the configuration of `psd`'],
      'stray-arrow.click': ['syntax 3:3-3:5 stray `->`: an arrow needs an element on each side'],
      'unterminated-comment.click': ['unterminated-comment 2:1-2:3 unterminated comment: this `/*` is never closed by `*/`'],
      'unterminated-string.click': ['unterminated-string 1:32-1:33 unterminated string: this `"` is never closed'],
    };
    for (const [name, want] of Object.entries(expected)) {
      it(`phrases the error of ${name} for humans, at the right place`, async () => {
        const m = await parseClick(fixture('broken', name));
        assert.deepStrictEqual(problems(m), want);
      });
    }

    it('phrases other syntax errors plainly', async () => {
      const cases: Array<[string, string]> = [
        ['a -> (b -> c', 'syntax 1:6-1:7 missing `)` to close this group'],
        ['elementclass X { a -> b', 'syntax 1:1-1:17 missing `}` to close elementclass `X`'],
        ['-> b;', 'syntax 1:1-1:3 stray `->`: an arrow needs an element on each side'],
        ['a :: Idle; a -> b ->', 'syntax 1:19-1:21 missing element after `->`'],
        ['a :: Idle; a[1-] -> a', 'syntax 1:15-1:16 unexpected `-` in the port list: write ports as `[0]`, `[0,1]` or `[0-2]`'],
        ['a :: Idle; % a;', 'syntax 1:12-1:13 unexpected `%`'],
        ['a :: Idle # 3', 'syntax 1:11-1:12 unexpected `#`: a `# line "file"` directive must start at the beginning of a line'],
        ['x :: Foo(1)) -> y', 'syntax 1:12-1:13 unmatched `)`: there is no `(` for it to close'],
      ];
      for (const [text, want] of cases) {
        const m = await parseClick(text);
        assert.ok(problems(m).includes(want), `${JSON.stringify(text)}: got ${JSON.stringify(problems(m))}`);
      }
    });

    it('reports uses before the declaration, and declarations of input/output in a compound', async () => {
      const m = await parseClick('x -> y; x :: A; y :: B; elementclass C { input :: Idle; input -> output }');
      assert.deepStrictEqual(problems(m), [
        'used-before-declaration 1:1-1:2 `x` is used before its declaration: Click needs the declaration first',
        'used-before-declaration 1:6-1:7 `y` is used before its declaration: Click needs the declaration first',
        'duplicate-declaration 1:42-1:47 `input` is the input of this elementclass and cannot be declared as an element',
      ]);
      // Navigation still works for the early uses.
      assert.strictEqual(m.references[0].target, 0);
    });
  });
});
