//! Faults, deadlines and a plain-text alert on Slack (the shared bodies of
//! `sremesh_chatscan::testing::suite`): no panic, no hang, a clear status and reason, an answer
//! by the deadline with what was read.

use super::*;

// The slow case: auth.test + listing (0.6 s), #deploys (0.6 s), then the deadline (2 s − 0.3 s reserve)
// cuts the next channel short.
sremesh_chatscan::fault_tests!(
    P,
    SCENARIO,
    slow: ("C0DEPLOYS", 2000, "v1.8.0"),
    plain: (["channel:C0DEPLOYS", "channel:C0PAYALERTS", "channel:C0PAYMENTS"], "payments-api v1.8.0"),
);
