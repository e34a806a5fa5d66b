/*
 * markipheader.{cc,hh} -- sets the IP header annotation
 * FlowMage demo library, written in FastClick's style.
 */
#include <click/config.h>
#include <click/args.hh>
#include <clicknet/ip.h>
#include "markipheader.hh"
CLICK_DECLS

MarkIPHeader::MarkIPHeader() : _offset(0)
{
}

int
MarkIPHeader::configure(Vector<String> &conf, ErrorHandler *errh)
{
    return Args(conf, this, errh).read_p("OFFSET", _offset).complete();
}

Packet *
MarkIPHeader::simple_action(Packet *p)
{
    const click_ip *iph = reinterpret_cast<const click_ip *>(p->data() + _offset);
    p->set_ip_header(iph, iph->ip_hl << 2);
    return p;
}

CLICK_ENDDECLS
EXPORT_ELEMENT(MarkIPHeader)
ELEMENT_MT_SAFE(MarkIPHeader)
