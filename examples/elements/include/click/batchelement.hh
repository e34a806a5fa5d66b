// -*- c-basic-offset: 4 -*-
// FlowMage demo library: batch processing in FastClick's style (not FastClick's code).
#ifndef CLICK_BATCHELEMENT_HH
#define CLICK_BATCHELEMENT_HH
#include <click/element.hh>
#include <click/packetbatch.hh>
CLICK_DECLS

/* Walks a batch; the body may not unlink p. */
#define FOR_EACH_PACKET(batch, p) \
    for (Packet *p = (batch)->first(); p != 0; p = p->next())

/* Walks a batch; the body may kill or unlink p. */
#define FOR_EACH_PACKET_SAFE(batch, p) \
    for (Packet *p = (batch)->first(), *fep_next = p ? p->next() : 0; p != 0; \
         p = fep_next, fep_next = p ? p->next() : 0)

/* Calls fnt on every packet; a packet for which fnt returns 0 is removed and passed to on_drop. */
#define EXECUTE_FOR_EACH_PACKET_DROPPABLE(fnt, batch, on_drop) \
    (batch) = (batch)->filter(fnt, on_drop)

/*
 * An element that receives packets in batches. The default push_batch()
 * calls simple_action_batch(), whose default calls simple_action() on each packet.
 */
class BatchElement : public Element { public:

    BatchElement();

    virtual void push_batch(int port, PacketBatch *batch);
    virtual PacketBatch *pull_batch(int port, unsigned max);
    virtual PacketBatch *simple_action_batch(PacketBatch *batch);

    void output_push_batch(int port, PacketBatch *batch) const;
    void checked_output_push_batch(int port, PacketBatch *batch) const;
};

CLICK_ENDDECLS
#endif
