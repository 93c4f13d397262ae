//! The client API every command uses: connect, topology snapshots, events, selection,
//! `run_command`, `find` with a cursor, and `shutdown`.
