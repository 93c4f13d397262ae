//! The lab's tokio server: listeners on 127.0.0.1, wire framing, faults, control channel.
