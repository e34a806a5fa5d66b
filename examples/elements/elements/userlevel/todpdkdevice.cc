/*
 * todpdkdevice.{cc,hh} -- sends packets to a DPDK port (demo stub)
 * FlowMage demo library, written in FastClick's style.
 */
#include <click/config.h>
#include <click/args.hh>
#include "todpdkdevice.hh"
CLICK_DECLS

ToDPDKDevice::ToDPDKDevice() : _port(0)
{
}

int
ToDPDKDevice::configure(Vector<String> &conf, ErrorHandler *errh)
{
    return Args(conf, this, errh).read_mp("PORT", _port).consume();
}

void
ToDPDKDevice::push_batch(int, PacketBatch *batch)
{
    unsigned n = batch->count();
    unsigned sent = transmit_burst(_port, batch);
    _stats->sent += sent;
    _stats->dropped += n - sent;
}

CLICK_ENDDECLS
EXPORT_ELEMENT(ToDPDKDevice)
ELEMENT_MT_SAFE(ToDPDKDevice)
