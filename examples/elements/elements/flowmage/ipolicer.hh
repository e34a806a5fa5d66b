#ifndef CLICK_IPOLICER_HH
#define CLICK_IPOLICER_HH
#include <click/iflowmanager.hh>
#include <click/tokenbucket.hh>
CLICK_DECLS

/*
=c

IPolicer([RATE, BURST, SHARED, SIZE, POLICE_ICMP])

=s flowmage

limits the rate of traffic towards every destination

=d

Keeps a token bucket per destination address. A packet that finds its
destination's bucket empty is dropped.

=item RATE

Bandwidth. Sustained rate allowed per destination. Default 1Gbps.

=item BURST

Integer. Bytes a destination may receive at once. Default 65536.

=item POLICE_ICMP

Boolean. If false, ICMP packets are dropped without touching any bucket. Default false.

=item SHARED

Boolean. See IFlowManager. Default true.

=item SIZE

Integer. Number of destinations tracked. Default 65536.

=a IPortScanDetector, IFlowManager
*/

class PolicerState : public IState { public:
    TokenBucket bucket;
    uint64_t dropped;
};

class IPolicer : public IFlowManager<PolicerState> { public:

    IPolicer() CLICK_COLD;

    const char *class_name() const override { return "IPolicer"; }
    const char *port_count() const override { return PORTS_1_1; }
    const char *processing() const override { return PUSH; }

    int configure(Vector<String> &conf, ErrorHandler *errh) override CLICK_COLD;

    uint32_t calculate_hash(Packet *p) override;
    bool process(PolicerState *state, Packet *p) override;

  private:
    TokenBucket _template;
    bool _police_icmp;
};

CLICK_ENDDECLS
#endif
