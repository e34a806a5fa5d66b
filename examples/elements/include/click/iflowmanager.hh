// -*- c-basic-offset: 4 -*-
// FlowMage demo library: a base for stateful elements in the style of FlowMage's
// IFlowManager (not its code). It keeps one rte_hash of State per element, or one per core
// with SHARED false, and keys it on whatever the subclass's calculate_hash() reads.
#ifndef CLICK_IFLOWMANAGER_HH
#define CLICK_IFLOWMANAGER_HH
#include <click/batchelement.hh>
#include <click/multithread.hh>
#include <click/args.hh>
#include <rte_hash.h>
CLICK_DECLS

#define IFLOW_BATCH_MAX 256

/* Every state starts with a use count. */
class IState { public:
    uint32_t count;
};

template <class State> struct IStateTable {
    rte_hash *hash;
    State *states;
    uint32_t hashes[IFLOW_BATCH_MAX];
    const void *keys[IFLOW_BATCH_MAX];
    int32_t positions[IFLOW_BATCH_MAX];
};

/*
=c

IFlowManager(SHARED, SIZE)

=s flowmage

base of FlowMage's stateful elements

=d

Keeps a table of per-flow State, looked up by the hash the subclass computes
in calculate_hash() and updated by its process().

=item SHARED

Boolean. One table shared by all cores (behind a lock) if true, one table per
core otherwise. Default true.

=item SIZE

Integer. Number of flows the table holds. Default 65536.

*/
template <class State> class IFlowManager : public BatchElement { public:

    IFlowManager() : _shared(true), _capacity(65536), _table(0) { }

    int parse(Args *args) {
        return args->read_or_set("SHARED", _shared, true)
                   .read_or_set("SIZE", _capacity, 65536)
                   .consume();
    }

    int initialize(ErrorHandler *errh) override {
        for (int i = 0; i < (_shared ? 1 : _tables.weight()); i++) {
            IStateTable<State> &t = _shared ? *(_table = new IStateTable<State>()) : _tables.get_value(i);
            if (alloc_table(t, i, errh) < 0)
                return -1;
        }
        return 0;
    }

    void push_batch(int port, PacketBatch *batch) override {
        IStateTable<State> *t = _shared ? _table : &*_tables;
        int n = 0;
        FOR_EACH_PACKET(batch, p) {
            t->hashes[n] = calculate_hash(p);
            t->keys[n] = &t->hashes[n];
            n++;
        }
        rte_hash_lookup_bulk(t->hash, t->keys, n, t->positions);

        int i = 0;
        auto fnt = [this, t, &i](Packet *p) -> Packet * {
            int32_t pos = t->positions[i];
            if (pos < 0)
                pos = rte_hash_add_key(t->hash, t->keys[i]);
            i++;
            if (pos < 0)
                return p;
            State *state = &t->states[pos];
            if (_shared)
                _lock.acquire();
            bool keep = process(state, p);
            if (_shared)
                _lock.release();
            return keep ? p : 0;
        };
        EXECUTE_FOR_EACH_PACKET_DROPPABLE(fnt, batch, [](Packet *p) { p->kill(); });
        if (batch)
            output_push_batch(port, batch);
    }

    /* The key of the packet's state. */
    virtual uint32_t calculate_hash(Packet *p) = 0;

    /* Updates the packet's state; returns false to drop the packet. */
    virtual bool process(State *state, Packet *p) = 0;

  protected:
    int alloc_table(IStateTable<State> &t, int core, ErrorHandler *errh);

    bool _shared;
    uint32_t _capacity;
    IStateTable<State> *_table;
    per_thread<IStateTable<State> > _tables;
    Spinlock _lock;
};

CLICK_ENDDECLS
#endif
