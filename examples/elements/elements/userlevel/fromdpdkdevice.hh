#ifndef CLICK_FROMDPDKDEVICE_HH
#define CLICK_FROMDPDKDEVICE_HH
#include <click/batchelement.hh>
#include <click/multithread.hh>
#include <click/task.hh>
CLICK_DECLS

/*
=c

FromDPDKDevice(PORT [, QUEUE, N_QUEUES, I<keywords> MAXTHREADS, NDESC, BURST, ...])

=s netdevices

reads packets from a DPDK port (stub of the FlowMage demo library)

=d

Reads packets from a network port through DPDK, one or more RX queues per
thread. With several queues the NIC spreads packets over them with RSS, hashing
header fields chosen by HASHFUNC (FlowMage) or by the driver (IP, UDP and TCP
fields, effectively the 5-tuple).

This demo stub has FastClick's keywords but no driver.

=item PORT

Integer or PCI address. The port to read from.

=item QUEUE

Integer. First RX queue to use. Default 0.

=item N_QUEUES

Integer. Number of RX queues. Default: one per thread.

=item MAXTHREADS

Integer. Most threads that read from the port. Default: every thread.

=item THREADOFFSET

Integer. First thread to use. Default 0.

=item NDESC

Integer. Number of descriptors per RX queue. Default 256.

=item BURST

Integer. Most packets read at once. Default 32.

=item PROMISC

Boolean. Receive every packet, whatever its destination MAC. Default false.

=item MAC

Ethernet address. Set the port's MAC address.

=item MTU

Integer. The port's MTU.

=item MODE

String. How packets are spread over queues: none, rss, vmdq, vmdq_rss,
vmdq_dcb, vmdq_dcb_rss or flow. Default rss when N_QUEUES > 1.

=item FLOW_RULES_FILE

Filename. Flow rules installed in the NIC when MODE is flow.

=item RSS_AGGREGATE

Boolean. Store the RSS hash in the aggregate annotation. Default false.

=item PAINT_QUEUE

Boolean. Store the RX queue in the paint annotation. Default false.

=item NUMA

Boolean. Allocate buffers on the port's NUMA node. Default true.

=item SCALE

String. How threads are woken: parallel or share. Default share.

=item TIMESTAMP

Boolean. Put the NIC's timestamp in the timestamp annotation. Default false.

=item HASHFUNC

String. FlowMage's fork: the header fields RSS hashes, e.g. "src_ip" or
"src_ip dst_ip". Default: the driver's choice.

=item VERBOSE

Integer. Verbosity. Default 0.

=item ACTIVE

Boolean. Whether the element reads packets. Default true.

=e

  FromDPDKDevice(0, MAXTHREADS 16, NDESC 256) -> Classifier(12/0800) -> ...

=h count read-only

Packets received.

=a ToDPDKDevice
*/

class FromDPDKDevice : public BatchElement { public:

    FromDPDKDevice() CLICK_COLD;

    const char *class_name() const override { return "FromDPDKDevice"; }
    const char *port_count() const override { return PORTS_0_1; }
    const char *processing() const override { return PUSH; }

    int configure(Vector<String> &conf, ErrorHandler *errh) override CLICK_COLD;

    bool run_task(Task *task);

  private:
    unsigned _port;
    unsigned _burst;
    struct Stats {
        uint64_t packets;
    };
    per_thread<Stats> _stats;
};

CLICK_ENDDECLS
#endif
