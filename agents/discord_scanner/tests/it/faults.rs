//! Faults, deadlines and a plain-text alert on Discord (the shared bodies of
//! `sremesh_chatscan::testing::suite`): no panic, no hang, a clear status and reason, an answer
//! by the deadline with what was read.

use super::*;

// The slow case: /users/@me + guilds (0.6 s) ‖ guild channels (0.6 s), #deploys (0.6 s), then the
// deadline (2.6 s − 0.3 s reserve) cuts the next channel short.
sremesh_chatscan::fault_tests!(
    P,
    SCENARIO,
    slow: ("1182736450912837700", 2600, "v2.3.1"),
    plain: ([
            "channel:1182736450912837632",
            "channel:1182736450912837700",
            "channel:1182736450912837800",
        ], "search-api v2.3.1"),
);
