/*
 * fromdpdkdevice.{cc,hh} -- reads packets from a DPDK port (demo stub)
 * FlowMage demo library, written in FastClick's style.
 */
#include <click/config.h>
#include <click/args.hh>
#include "fromdpdkdevice.hh"
CLICK_DECLS

FromDPDKDevice::FromDPDKDevice() : _port(0), _burst(32)
{
}

int
FromDPDKDevice::configure(Vector<String> &conf, ErrorHandler *errh)
{
    // The keywords the example chain uses, and FlowMage's fork's HASHFUNC (the RSS fields).
    int maxthreads = -1, n_queues = -1, ndesc = 0;
    String mode, rules_file, hashfunc;
    return Args(conf, this, errh)
        .read_mp("PORT", _port)
        .read("BURST", _burst)
        .read("NDESC", ndesc)
        .read("MAXTHREADS", maxthreads)
        .read("N_QUEUES", n_queues)
        .read("MODE", mode)
        .read("FLOW_RULES_FILE", rules_file)
        .read("HASHFUNC", hashfunc)
        .consume();
}

bool
FromDPDKDevice::run_task(Task *task)
{
    PacketBatch *batch = receive_burst(_port, _burst);
    if (!batch)
        return false;
    _stats->packets += batch->count();
    output_push_batch(0, batch);
    task->fast_reschedule();
    return true;
}

CLICK_ENDDECLS
EXPORT_ELEMENT(FromDPDKDevice)
ELEMENT_MT_SAFE(FromDPDKDevice)
