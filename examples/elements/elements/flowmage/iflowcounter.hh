#ifndef CLICK_IFLOWCOUNTER_HH
#define CLICK_IFLOWCOUNTER_HH
#include <click/iflowmanager.hh>
CLICK_DECLS

/*
=c

IFlowCounter([SHARED, SIZE])

=s flowmage

counts packets and bytes of every TCP/UDP flow

=d

Keeps packet and byte counters per 5-tuple.

=item SHARED

Boolean. See IFlowManager. Default true.

=item SIZE

Integer. Number of flows tracked. Default 65536.

=h count read-only

Number of flows seen.

=a IFlowManager, FlowCounter
*/

class FlowCounterState : public IState { public:
    uint64_t packets;
    uint64_t bytes;
};

class IFlowCounter : public IFlowManager<FlowCounterState> { public:

    IFlowCounter() CLICK_COLD;

    const char *class_name() const override { return "IFlowCounter"; }
    const char *port_count() const override { return PORTS_1_1; }
    const char *processing() const override { return PUSH; }

    int configure(Vector<String> &conf, ErrorHandler *errh) override CLICK_COLD;

    uint32_t calculate_hash(Packet *p) override;
    bool process(FlowCounterState *state, Packet *p) override;
};

CLICK_ENDDECLS
#endif
