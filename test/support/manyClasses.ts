// One header holding `n` flow elements (half keyed by source, half by destination address), to
// check and time indexing of many classes per file.
export function manyClassesHeader(n: number): string {
  const out = ['#include <click/iflowmanager.hh>', 'struct ManyState { uint32_t packets; };'];
  for (let i = 0; i < n; i++) {
    out.push(`class Many${i} : public IFlowManager<ManyState> { public:
    const char *class_name() const override { return "Many${i}"; }
    uint32_t calculate_hash(Packet *p) override { return p->ip_header()->${i % 2 ? 'ip_dst' : 'ip_src'}.s_addr; }
    bool process(ManyState *s, Packet *p) override { s->packets++; return true; }
};`);
  }
  return out.join('\n') + '\n';
}
