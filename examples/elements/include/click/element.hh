// -*- c-basic-offset: 4 -*-
// FlowMage demo library: a reduced Element base in FastClick's style (not FastClick's code).
#ifndef CLICK_ELEMENT_HH
#define CLICK_ELEMENT_HH
#include <click/glue.hh>
#include <click/vector.hh>
#include <click/string.hh>
#include <click/packet.hh>
CLICK_DECLS
class ErrorHandler;
class Args;

#define PORTS_0_1 "0/1"
#define PORTS_1_0 "1/0"
#define PORTS_1_1 "1/1"
#define PUSH "h/h"
#define PULL "l/l"
#define AGNOSTIC "a/a"

/*
 * The base of every element: ports, configuration, handlers and the
 * single-packet entry points push(), pull() and simple_action().
 */
class Element { public:

    Element();
    virtual ~Element();

    virtual const char *class_name() const = 0;
    virtual const char *port_count() const;
    virtual const char *processing() const;

    virtual int configure(Vector<String> &conf, ErrorHandler *errh);
    virtual int initialize(ErrorHandler *errh);
    virtual void cleanup();
    virtual void add_handlers();

    virtual void push(int port, Packet *p);
    virtual Packet *pull(int port);
    virtual Packet *simple_action(Packet *p);

    class Port { public:
        void push(Packet *p) const;
        Packet *pull() const;
    };
    const Port &output(int port) const;
    void checked_output_push(int port, Packet *p) const;
    int ninputs() const;
    int noutputs() const;
    String name() const;

    typedef String (*ReadHandlerCallback)(Element *e, void *thunk);
    void add_read_handler(const String &name, ReadHandlerCallback read, int user_data = 0);

  private:
    int _nports[2];
    Port *_ports[2];
};

CLICK_ENDDECLS
#endif
