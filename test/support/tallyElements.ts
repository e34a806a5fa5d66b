// A generated tree of many small elements in FastClick's style (per-source packet tallies, one
// class per header with its .cc), for tests that need a tree large enough for the cold index to
// go to a child process (core/index/indexProcess.ts) without the real FastClick sources.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Tally elements enough for a cold index to go to a child process (the server's threshold is 64 element files to parse). */
export const TALLY_ELEMENTS_FOR_CHILD_INDEX = 72;

export function tallyElement(i: number): { hh: string; cc: string } {
  const cls = `SourceTally${i}`;
  return {
    hh: `#ifndef CLICK_SOURCETALLY${i}_HH
#define CLICK_SOURCETALLY${i}_HH
#include <click/element.hh>
#include <click/hashtable.hh>
CLICK_DECLS

/*
=c
${cls}()
=s flowmage
counts packets per source address
*/
class ${cls} : public Element { public:
    const char *class_name() const override { return "${cls}"; }
    const char *port_count() const override { return PORTS_1_1; }
    Packet *simple_action(Packet *p) override;
  private:
    HashTable<uint32_t, uint64_t> _tally;
};

CLICK_ENDDECLS
#endif
`,
    cc: `#include <click/config.h>
#include <clicknet/ip.h>
#include "sourcetally${i}.hh"
CLICK_DECLS

Packet *
${cls}::simple_action(Packet *p)
{
    _tally.find_insert(p->ip_header()->ip_src.s_addr, 0).value()++;
    return p;
}

CLICK_ENDDECLS
EXPORT_ELEMENT(${cls})
`,
  };
}

/** Writes `count` tally elements (2 files each) into `dir`. */
export function writeTallyElements(dir: string, count: number): void {
  mkdirSync(dir, { recursive: true });
  for (let i = 0; i < count; i++) {
    const { hh, cc } = tallyElement(i);
    writeFileSync(join(dir, `sourcetally${i}.hh`), hh);
    writeFileSync(join(dir, `sourcetally${i}.cc`), cc);
  }
}
