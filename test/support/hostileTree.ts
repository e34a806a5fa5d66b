// Source trees that once broke the index: an oversized file, a file nested too deep to walk, a FIFO,
// a broken link, and element names that are Object.prototype keys. Shared by the unit, CLI and LSP tests.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** The clone's root (tests run bundled from out/, at several depths). */
function repoRoot(): string {
  for (let dir = __dirname; dirname(dir) !== dir; dir = dirname(dir)) if (existsSync(join(dir, 'test', 'fixtures', 'elements'))) return dir;
  throw new Error('cannot find the repository root');
}

export const FIXTURE_ELEMENTS = join(repoRoot(), 'test', 'fixtures', 'elements');

/** A copy of the fixture elements in a fresh temporary directory. */
export function fixtureCopy(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  cpSync(FIXTURE_ELEMENTS, dir, { recursive: true });
  return dir;
}

/** An element whose source is `bytes` long: a real element, padded with ordinary code. */
export function oversizedElement(bytes: number): string {
  const head = `#include <click/element.hh>
class HugeElement : public Element { public:
    const char *class_name() const override { return "HugeElement"; }
    Packet *simple_action(Packet *p) { return p; }
};
`;
  const line = 'static const int padding_value = (1 + 2) * 3;\n';
  return head + line.repeat(Math.ceil((bytes - head.length) / line.length));
}

/** An element whose packet path nests `depth` parentheses (a recursive walk would overflow the stack). */
export function deeplyNestedElement(depth: number): string {
  const deep = '('.repeat(depth) + 'p->length()' + ')'.repeat(depth);
  return `#include <click/element.hh>
class DeepElement : public Element { public:
    const char *class_name() const override { return "DeepElement"; }
    Packet *simple_action(Packet *p) { int n = ${deep}; _n += n; return p; }
    int _n;
};
`;
}

/** Elements named after Object.prototype keys, with per-flow state keyed by different fields. */
export const PROTOTYPE_NAMED_ELEMENTS = `#include <click/iflowmanager.hh>
#define constructor "not a class"
struct __proto__State { uint32_t packets; };
class constructor : public IFlowManager<__proto__State> { public:
    const char *class_name() const override { return "constructor"; }
    uint32_t calculate_hash(Packet *p) override { return p->ip_header()->ip_src.s_addr; }
    bool process(__proto__State *s, Packet *p) override { s->packets++; return true; }
};
class __proto__ : public IFlowManager<__proto__State> { public:
    const char *class_name() const override { return "__proto__"; }
    uint32_t calculate_hash(Packet *p) override { return p->ip_header()->ip_dst.s_addr; }
    bool process(__proto__State *s, Packet *p) override { s->packets++; return true; }
};
class toString : public Element { public:
    const char *class_name() const override { return "toString"; }
    Packet *simple_action(Packet *p) { return p; }
};
`;

export function mkfifo(path: string): void {
  execFileSync('mkfifo', [path]);
}

export function brokenLink(path: string): void {
  symlinkSync(join(path, '..', 'no-such-target.hh'), path);
}

export function write(path: string, text: string): void {
  writeFileSync(path, text);
}
