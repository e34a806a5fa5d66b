#ifndef CLICK_CLASSIFIER_HH
#define CLICK_CLASSIFIER_HH
#include <click/batchelement.hh>
#include <click/vector.hh>
CLICK_DECLS

/*
=c

Classifier(PATTERN_1, ..., PATTERN_N)

=s classification

classifies packets by contents

=d

Sends a packet to the output of the first pattern it matches. A pattern is a
space-separated list of OFFSET/VALUE or OFFSET/VALUE%MASK clauses (hexadecimal
bytes at a byte offset); `-` matches every packet. Packets matching no pattern
are dropped.

=e

  Classifier(12/0800, -)

sends IPv4 packets (Ethernet type 0x0800) to output 0 and the rest to output 1.
*/

class Classifier : public BatchElement { public:

    Classifier() CLICK_COLD;

    const char *class_name() const override { return "Classifier"; }
    const char *port_count() const override { return "1/-"; }
    const char *processing() const override { return PUSH; }

    int configure(Vector<String> &conf, ErrorHandler *errh) override CLICK_COLD;

    void push(int port, Packet *p) override;

  private:
    struct Clause {
        unsigned offset;
        Vector<uint8_t> value;
        Vector<uint8_t> mask;
    };
    struct Pattern {
        Vector<Clause> clauses;
    };

    int match(Packet *p) const;

    Vector<Pattern> _patterns;
};

CLICK_ENDDECLS
#endif
