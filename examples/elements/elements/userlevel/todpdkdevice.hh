#ifndef CLICK_TODPDKDEVICE_HH
#define CLICK_TODPDKDEVICE_HH
#include <click/batchelement.hh>
#include <click/multithread.hh>
CLICK_DECLS

/*
=c

ToDPDKDevice(PORT [, QUEUE, N_QUEUES, I<keywords> IQUEUE, BLOCKING, BURST, ...])

=s netdevices

sends packets to a DPDK port (stub of the FlowMage demo library)

=d

Sends packets through DPDK, one TX queue per thread. Packets wait in an
internal queue of IQUEUE packets until BURST of them can be sent at once, or
TIMEOUT passes.

This demo stub has FastClick's keywords but no driver.

=item PORT

Integer or PCI address. The port to send to.

=item QUEUE

Integer. First TX queue to use. Default 0.

=item N_QUEUES

Integer. Number of TX queues. Default: one per thread.

=item IQUEUE

Integer. Size of the internal queue. Default 1024.

=item BLOCKING

Boolean. Wait for room in a full queue instead of dropping. Default false.

=item BURST

Integer. Packets sent at once. Default 32.

=item TIMEOUT

Integer. Milliseconds before a partial burst is sent; 0 sends at once, -1 never
waits for a timer. Default 0.

=item NDESC

Integer. Number of descriptors per TX queue. Default 1024.

=item VERBOSE

Integer. Verbosity. Default 0.

=e

  ... -> ToDPDKDevice(0, BURST 32, TIMEOUT -1)

=h dropped read-only

Packets dropped for lack of room.

=a FromDPDKDevice
*/

class ToDPDKDevice : public BatchElement { public:

    ToDPDKDevice() CLICK_COLD;

    const char *class_name() const override { return "ToDPDKDevice"; }
    const char *port_count() const override { return PORTS_1_0; }
    const char *processing() const override { return PUSH; }

    int configure(Vector<String> &conf, ErrorHandler *errh) override CLICK_COLD;

    void push_batch(int port, PacketBatch *batch) override;

  private:
    unsigned _port;
    struct Stats {
        uint64_t sent;
        uint64_t dropped;
    };
    per_thread<Stats> _stats;
};

CLICK_ENDDECLS
#endif
