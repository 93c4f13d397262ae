//! The lab's in-memory document store: databases, collections, and the query engine (filters,
//! sort, projection) each simulated member keeps. Pure and deterministic.
