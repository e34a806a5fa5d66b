#ifndef CLICK_CHECKIPHEADER_HH
#define CLICK_CHECKIPHEADER_HH
#include <click/batchelement.hh>
#include <click/atomic.hh>
#include <click/vector.hh>
CLICK_DECLS

/*
=c

CheckIPHeader([OFFSET, BADSRC, VERBOSE])

=s ip

checks IP header

=d

Checks that the packet holds a valid IPv4 header: version, header length,
total length, checksum, and a source address that is not in BADSRC. Bad
packets are dropped (or sent to output 1 if there is one).

=item OFFSET

Unsigned integer. Offset of the IP header in the packet. Default 0.

=item BADSRC

Space-separated list of IP addresses. Packets from these sources are bad.

=item VERBOSE

Boolean. Print a message for every bad packet. Default false.

=h drops read-only

Number of packets dropped.
*/

class CheckIPHeader : public BatchElement { public:

    CheckIPHeader() CLICK_COLD;

    const char *class_name() const override { return "CheckIPHeader"; }
    const char *port_count() const override { return "1/1-2"; }
    const char *processing() const override { return PUSH; }

    int configure(Vector<String> &conf, ErrorHandler *errh) override CLICK_COLD;

    Packet *simple_action(Packet *p) override;

  private:
    Packet *drop(Packet *p, const char *why);

    unsigned _offset;
    bool _verbose;
    Vector<uint32_t> _bad_src;
    atomic_uint32_t _drops;
};

CLICK_ENDDECLS
#endif
