//! Connection strings (`mongodb://...` URIs and bare seed lists), per the connection-string and
//! URI-options specifications.
