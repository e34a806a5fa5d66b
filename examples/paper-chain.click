// A three-function chain in the shape of FlowMage's Figure 7: a port-scan detector keyed by source
// address, a policer keyed by destination address and a 5-tuple flow counter, on 16 cores.
define($port 0)

input :: FromDPDKDevice($port, MAXTHREADS 16, NDESC 256)
    -> Classifier(12/0800)
    -> MarkIPHeader(OFFSET 14)
    -> psd :: IPortScanDetector(SIZE 8000000)
    -> policer :: IPolicer(SIZE 8000000)
    -> counter :: IFlowCounter(SIZE 64000000)
    -> output :: ToDPDKDevice($port, VERBOSE 99, TIMEOUT -1);
