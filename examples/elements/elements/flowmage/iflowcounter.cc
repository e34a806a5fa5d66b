/*
 * iflowcounter.{cc,hh} -- per-5-tuple packet and byte counters
 * FlowMage demo library, written in FastClick's style.
 */
#include <click/config.h>
#include <click/args.hh>
#include <click/ipflowid.hh>
#include "iflowcounter.hh"
CLICK_DECLS

IFlowCounter::IFlowCounter()
{
}

int
IFlowCounter::configure(Vector<String> &conf, ErrorHandler *errh)
{
    Args args(conf, this, errh);
    return parse(&args) < 0 || args.complete() < 0 ? -1 : 0;
}

uint32_t
IFlowCounter::calculate_hash(Packet *p)
{
    return IPFlow5ID(p).hashcode();
}

bool
IFlowCounter::process(FlowCounterState *state, Packet *p)
{
    state->count++;
    state->packets++;
    state->bytes += p->length();
    return true;
}

CLICK_ENDDECLS
EXPORT_ELEMENT(IFlowCounter)
ELEMENT_MT_SAFE(IFlowCounter)
