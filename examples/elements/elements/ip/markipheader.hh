#ifndef CLICK_MARKIPHEADER_HH
#define CLICK_MARKIPHEADER_HH
#include <click/batchelement.hh>
CLICK_DECLS

/*
=c

MarkIPHeader([OFFSET])

=s ip

sets IP header annotation

=d

Marks packets as IP packets by setting the IP header annotation to OFFSET
bytes into the packet, without checking the header.

=item OFFSET

Unsigned integer. Offset of the IP header. Default 0.

=e

  Classifier(12/0800) -> MarkIPHeader(OFFSET 14)

=a CheckIPHeader
*/

class MarkIPHeader : public BatchElement { public:

    MarkIPHeader() CLICK_COLD;

    const char *class_name() const override { return "MarkIPHeader"; }
    const char *port_count() const override { return PORTS_1_1; }

    int configure(Vector<String> &conf, ErrorHandler *errh) override CLICK_COLD;

    Packet *simple_action(Packet *p) override;

  private:
    unsigned _offset;
};

CLICK_ENDDECLS
#endif
