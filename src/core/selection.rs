//! Server selection: a chain of small pure filters (mode -> staleness -> tag sets -> latency
//! window -> pick), each recording why it dropped a server.
