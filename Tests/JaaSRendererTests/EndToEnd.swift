import Testing

/// The suites that run servers, evaluations and child processes. They run one at a
/// time: in parallel they would load the two cores enough to skew each other's (and
/// the engine tests') timing measurements.
@Suite(.serialized) enum EndToEnd {}
