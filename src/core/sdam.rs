//! Server discovery and monitoring: building server descriptions from hello replies and folding
//! them into the topology description, per the SDAM specification.
