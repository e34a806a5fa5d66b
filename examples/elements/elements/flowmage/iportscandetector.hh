#ifndef CLICK_IPORTSCANDETECTOR_HH
#define CLICK_IPORTSCANDETECTOR_HH
#include <click/iflowmanager.hh>
#include <click/timestamp.hh>
CLICK_DECLS

/*
=c

IPortScanDetector([LIMIT, SHARED, SIZE])

=s flowmage

flags sources that probe many destination ports

=d

Remembers, for every source address, the list of TCP and UDP destination ports
it sent packets to. A source that reaches LIMIT distinct ports is flagged and
its packets are dropped.

=item LIMIT

Integer. Distinct ports after which a source is flagged. Default 32.

=item SHARED

Boolean. See IFlowManager. Default true.

=item SIZE

Integer. Number of sources tracked. Default 65536.

=e

  FromDPDKDevice(0) -> CheckIPHeader(OFFSET 14) -> IPortScanDetector(LIMIT 16) -> ToDPDKDevice(0)

=a IPolicer, IFlowManager
*/

/* One port a source has probed; a source's ports form a singly linked list. */
struct PortNode {
    uint16_t port;
    PortNode *next;
};

class PSDState : public IState { public:
    PortNode *ports;
    uint16_t nports;
    bool flagged;
    Timestamp last_seen;
};

class IPortScanDetector : public IFlowManager<PSDState> { public:

    IPortScanDetector() CLICK_COLD;

    const char *class_name() const override { return "IPortScanDetector"; }
    const char *port_count() const override { return PORTS_1_1; }
    const char *processing() const override { return PUSH; }

    int configure(Vector<String> &conf, ErrorHandler *errh) override CLICK_COLD;
    void add_handlers() override CLICK_COLD;

    uint32_t calculate_hash(Packet *p) override;
    bool process(PSDState *state, Packet *p) override;

  private:
    uint16_t _limit;
    atomic_uint64_t _flagged;

    static String read_flagged(Element *e, void *thunk);
};

CLICK_ENDDECLS
#endif
