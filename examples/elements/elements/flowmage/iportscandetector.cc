/*
 * iportscandetector.{cc,hh} -- flags port-scanning sources
 * FlowMage demo library, written in FastClick's style.
 */
#include <click/config.h>
#include <click/args.hh>
#include <click/error.hh>
#include <clicknet/ip.h>
#include <clicknet/tcp.h>
#include <clicknet/udp.h>
#include "iportscandetector.hh"
CLICK_DECLS

IPortScanDetector::IPortScanDetector() : _limit(32)
{
}

int
IPortScanDetector::configure(Vector<String> &conf, ErrorHandler *errh)
{
    Args args(conf, this, errh);
    if (parse(&args) < 0 || args.read_or_set("LIMIT", _limit, 32).complete() < 0)
        return -1;
    return 0;
}

uint32_t
IPortScanDetector::calculate_hash(Packet *p)
{
    // the state of a packet is its source's
    return click_hash_u32(p->ip_header()->ip_src.s_addr);
}

bool
IPortScanDetector::process(PSDState *state, Packet *p)
{
    const click_ip *iph = p->ip_header();
    uint16_t dport;
    if (iph->ip_p == IP_PROTO_TCP)
        dport = p->tcp_header()->th_dport;
    else if (iph->ip_p == IP_PROTO_UDP)
        dport = p->udp_header()->uh_dport;
    else
        return true;

    state->count++;
    state->last_seen = Timestamp::recent_steady();
    if (state->flagged)
        return false;
    for (PortNode *n = state->ports; n; n = n->next)
        if (n->port == dport)
            return true;
    if (state->nports >= _limit) {
        state->flagged = true;
        _flagged++;
        return false;
    }
    PortNode *node = new PortNode;
    node->port = dport;
    node->next = state->ports;
    state->ports = node;
    state->nports++;
    return true;
}

String
IPortScanDetector::read_flagged(Element *e, void *)
{
    IPortScanDetector *psd = static_cast<IPortScanDetector *>(e);
    return String(psd->_flagged.value());
}

void
IPortScanDetector::add_handlers()
{
    add_read_handler("flagged", read_flagged, 0);
}

CLICK_ENDDECLS
EXPORT_ELEMENT(IPortScanDetector)
ELEMENT_MT_SAFE(IPortScanDetector)
