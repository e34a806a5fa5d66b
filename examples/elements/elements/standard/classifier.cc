/*
 * classifier.{cc,hh} -- first-match classification on packet bytes
 * FlowMage demo library, written in FastClick's style.
 */
#include <click/config.h>
#include <click/args.hh>
#include <click/error.hh>
#include "classifier.hh"
CLICK_DECLS

Classifier::Classifier()
{
}

int
Classifier::configure(Vector<String> &conf, ErrorHandler *errh)
{
    for (int i = 0; i < conf.size(); i++) {
        Pattern pat;
        if (conf[i] != "-" && parse_pattern(conf[i], pat.clauses, errh) < 0)
            return errh->error("pattern %d: cannot parse %s", i, conf[i].c_str());
        _patterns.push_back(pat);
    }
    return _patterns.size() == noutputs() ? 0 : errh->error("need %d outputs", _patterns.size());
}

int
Classifier::match(Packet *p) const
{
    const unsigned char *data = p->data();
    for (int i = 0; i < _patterns.size(); i++) {
        const Pattern &pat = _patterns[i];
        bool ok = true;
        for (int c = 0; ok && c < pat.clauses.size(); c++) {
            const Clause &cl = pat.clauses[c];
            if (cl.offset + cl.value.size() > p->length()) {
                ok = false;
                break;
            }
            for (int b = 0; b < cl.value.size(); b++)
                if ((data[cl.offset + b] & cl.mask[b]) != cl.value[b])
                    ok = false;
        }
        if (ok)
            return i;
    }
    return -1;
}

void
Classifier::push(int, Packet *p)
{
    int out = match(p);
    if (out < 0)
        p->kill();
    else
        output(out).push(p);
}

CLICK_ENDDECLS
EXPORT_ELEMENT(Classifier)
ELEMENT_MT_SAFE(Classifier)
