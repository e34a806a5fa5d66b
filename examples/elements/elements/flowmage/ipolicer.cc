/*
 * ipolicer.{cc,hh} -- per-destination token-bucket policer
 * FlowMage demo library, written in FastClick's style.
 */
#include <click/config.h>
#include <click/args.hh>
#include <click/error.hh>
#include <clicknet/ip.h>
#include "ipolicer.hh"
CLICK_DECLS

IPolicer::IPolicer() : _police_icmp(false)
{
}

int
IPolicer::configure(Vector<String> &conf, ErrorHandler *errh)
{
    uint32_t rate, burst = 65536;
    Args args(conf, this, errh);
    if (parse(&args) < 0 || args.read_or_set_p("RATE", BandwidthArg(), rate, 125000000)
        .read("BURST", burst)
        .read("POLICE_ICMP", _police_icmp)
        .complete() < 0)
        return -1;
    _template.assign(rate, burst);
    return 0;
}

uint32_t
IPolicer::calculate_hash(Packet *p)
{
    const click_ip *iph = p->ip_header();
    return click_hash_u32(iph->ip_dst.s_addr);
}

bool
IPolicer::process(PolicerState *state, Packet *p)
{
    // ICMP is only dropped, never policed: the protocol is read, not a key
    if (p->ip_header()->ip_p == IP_PROTO_ICMP && !_police_icmp)
        return false;
    if (state->count++ == 0)
        state->bucket = _template;
    state->bucket.refill();
    if (state->bucket.contains(p->length())) {
        state->bucket.remove(p->length());
        return true;
    }
    state->dropped++;
    return false;
}

CLICK_ENDDECLS
EXPORT_ELEMENT(IPolicer)
ELEMENT_MT_SAFE(IPolicer)
