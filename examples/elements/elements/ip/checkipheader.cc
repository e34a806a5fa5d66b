/*
 * checkipheader.{cc,hh} -- IPv4 header sanity checks
 * FlowMage demo library, written in FastClick's style.
 */
#include <click/config.h>
#include <click/args.hh>
#include <clicknet/ip.h>
#include "checkipheader.hh"
CLICK_DECLS

CheckIPHeader::CheckIPHeader() : _offset(0), _verbose(false)
{
}

int
CheckIPHeader::configure(Vector<String> &conf, ErrorHandler *errh)
{
    return Args(conf, this, errh)
        .read("OFFSET", _offset)
        .read("BADSRC", _bad_src)
        .read("VERBOSE", _verbose)
        .complete();
}

Packet *
CheckIPHeader::drop(Packet *p, const char *why)
{
    _drops++;
    if (_verbose)
        click_chatter("%s: bad packet: %s", name().c_str(), why);
    if (noutputs() == 2) {
        output(1).push(p);
        return 0;
    }
    p->kill();
    return 0;
}

Packet *
CheckIPHeader::simple_action(Packet *p)
{
    const click_ip *iph = reinterpret_cast<const click_ip *>(p->data() + _offset);
    unsigned plen = p->length() - _offset;
    if (plen < sizeof(click_ip) || iph->ip_v != 4)
        return drop(p, "not IPv4");
    unsigned hlen = iph->ip_hl << 2;
    if (hlen < sizeof(click_ip) || hlen > plen || ntohs(iph->ip_len) > plen)
        return drop(p, "bad length");
    if (click_in_cksum((const unsigned char *) iph, hlen) != 0)
        return drop(p, "bad checksum");
    // martian sources are dropped: the source is compared, not used as a key
    for (int i = 0; i < _bad_src.size(); i++)
        if (iph->ip_src.s_addr == _bad_src[i])
            return drop(p, "bad source");
    p->set_ip_header(iph, hlen);
    return p;
}

CLICK_ENDDECLS
EXPORT_ELEMENT(CheckIPHeader)
ELEMENT_MT_SAFE(CheckIPHeader)
