//! The lab's one server-error type and its one table of codes.
//!
//! Every command failure the simulated mongod (and its mongos) answers with is a
//! [`ServerError`]: a [`Code`] and a message, rendered as `{ok: 0, errmsg, code, codeName}`. The
//! table below is the only place that says which number goes with which name, and which codes
//! are in mongod's `RetriableError` category (`src/mongo/base/error_codes.yml`), the category
//! mongod's `RetryableWriteError` label is built from (`src/mongo/db/error_labels.cpp`).
//! Pure.

use bson::{doc, Bson, Document};

/// Declares [`Code`] and its table: variant = number, and whether mongod files the code under
/// `RetriableError`.
macro_rules! server_codes {
    ($($name:ident = $num:literal $(, $retriable:ident)?;)*) => {
        /// A server error code, named as mongod names it (`codeName`). The `LocationNNNNN`
        /// variants are the assertion ids mongod 7.0 answers with a generated name.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[allow(clippy::enum_variant_names)]
        pub enum Code {
            $(
                #[doc = concat!("`", stringify!($name), "` (", stringify!($num), ").")]
                $name,
            )*
        }

        impl Code {
            /// Every code the lab knows (the table, in order).
            pub const ALL: &'static [Code] = &[$(Code::$name),*];

            /// The numeric `code`.
            pub fn number(self) -> i32 {
                match self {
                    $(Code::$name => $num,)*
                }
            }

            /// `codeName`.
            pub fn name(self) -> &'static str {
                match self {
                    $(Code::$name => stringify!($name),)*
                }
            }

            /// Whether mongod files this code under `RetriableError`.
            pub fn retriable(self) -> bool {
                match self {
                    $(Code::$name => server_codes!(@flag $($retriable)?),)*
                }
            }

            /// The code with this number, if the table has it.
            pub fn from_number(n: i32) -> Option<Code> {
                Code::ALL.iter().copied().find(|c| c.number() == n)
            }
        }
    };
    (@flag retriable) => { true };
    (@flag) => { false };
}

server_codes! {
    InternalError = 1;
    BadValue = 2;
    NoSuchKey = 4;
    HostUnreachable = 6, retriable;
    HostNotFound = 7, retriable;
    FailedToParse = 9;
    Unauthorized = 13;
    TypeMismatch = 14;
    ProtocolError = 17;
    AuthenticationFailed = 18;
    IllegalOperation = 20;
    AlreadyInitialized = 23;
    NamespaceNotFound = 26;
    PathNotViable = 28;
    CursorNotFound = 43;
    NamespaceExists = 48;
    EmptyFieldName = 56;
    CommandNotFound = 59;
    WriteConcernFailed = 64;
    ImmutableField = 66;
    InvalidNamespace = 73;
    NodeNotFound = 74;
    UnknownReplWriteConcern = 79;
    NetworkTimeout = 89, retriable;
    ShutdownInProgress = 91, retriable;
    InvalidReplicaSetConfig = 93;
    NotYetInitialized = 94;
    NotSecondary = 95;
    UnsatisfiableWriteConcern = 100;
    NewReplicaSetConfigurationIncompatible = 103;
    NodeNotElectable = 104;
    ConfigurationInProgress = 109;
    ConflictingOperationInProgress = 117;
    CommandFailed = 125;
    FailedToSatisfyReadPreference = 133;
    ReadConcernMajorityNotAvailableYet = 134, retriable;
    PrimarySteppedDown = 189, retriable;
    ExceededTimeLimit = 262, retriable;
    CurrentConfigNotCommittedYet = 308;
    MechanismUnavailable = 334;
    SocketException = 9001, retriable;
    NotWritablePrimary = 10107, retriable;
    BSONObjectTooLarge = 10334;
    DuplicateKey = 11000;
    InterruptedAtShutdown = 11600, retriable;
    InterruptedDueToReplStateChange = 11602, retriable;
    NotPrimaryNoSecondaryOk = 13435, retriable;
    NotPrimaryOrSecondary = 13436, retriable;
    Location15952 = 15952;
    Location15958 = 15958;
    Location31253 = 31253;
    Location31254 = 31254;
    Location40234 = 40234;
    Location40323 = 40323;
    Location40324 = 40324;
    Location40414 = 40414;
    Location40571 = 40571;
    Location51091 = 51091;
    Location5739101 = 5739101;
}

impl Code {
    /// Codes whose error replies carry the member's `topologyVersion`: the SDAM "not writable
    /// primary" and "node is recovering" errors.
    pub fn is_state_change(self) -> bool {
        matches!(
            self,
            Code::NotWritablePrimary
                | Code::NotPrimaryNoSecondaryOk
                | Code::NotPrimaryOrSecondary
                | Code::PrimarySteppedDown
                | Code::ShutdownInProgress
                | Code::InterruptedAtShutdown
                | Code::InterruptedDueToReplStateChange
        )
    }
}

/// A command failure: a code and a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerError {
    pub code: Code,
    pub message: String,
}

impl ServerError {
    /// An error with this code and message.
    pub fn new(code: Code, message: impl Into<String>) -> Self {
        ServerError {
            code,
            message: message.into(),
        }
    }

    /// BadValue (2).
    pub fn bad_value(message: impl Into<String>) -> Self {
        Self::new(Code::BadValue, message)
    }

    /// FailedToParse (9).
    pub fn failed_to_parse(message: impl Into<String>) -> Self {
        Self::new(Code::FailedToParse, message)
    }

    /// TypeMismatch (14).
    pub fn type_mismatch(message: impl Into<String>) -> Self {
        Self::new(Code::TypeMismatch, message)
    }

    /// PathNotViable (28).
    pub fn path_not_viable(message: impl Into<String>) -> Self {
        Self::new(Code::PathNotViable, message)
    }

    /// InvalidReplicaSetConfig (93).
    pub fn invalid_config(message: impl Into<String>) -> Self {
        Self::new(Code::InvalidReplicaSetConfig, message)
    }

    /// NodeNotFound (74).
    pub fn node_not_found(message: impl Into<String>) -> Self {
        Self::new(Code::NodeNotFound, message)
    }

    /// NewReplicaSetConfigurationIncompatible (103).
    pub fn incompatible(message: impl Into<String>) -> Self {
        Self::new(Code::NewReplicaSetConfigurationIncompatible, message)
    }

    /// The numeric code.
    pub fn number(&self) -> i32 {
        self.code.number()
    }

    /// `{ok: 0, errmsg, code, codeName}`.
    pub fn to_document(&self) -> Document {
        error_document(self.code, &self.message)
    }

    /// `{index, code, errmsg}`: one entry of a write reply's `writeErrors`.
    pub fn write_error(&self, index: usize) -> Bson {
        Bson::Document(
            doc! {"index": index as i32, "code": self.number(), "errmsg": self.message.clone()},
        )
    }

    /// `{code, codeName, errmsg}` (+ `errInfo`): a write reply's `writeConcernError`.
    pub fn write_concern_error(&self, err_info: Option<Document>) -> Document {
        let mut d = doc! {"code": self.number(), "codeName": self.code.name(), "errmsg": self.message.clone()};
        if let Some(info) = err_info {
            d.insert("errInfo", info);
        }
        d
    }
}

impl std::fmt::Display for ServerError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} ({}): {}",
            self.code.name(),
            self.number(),
            self.message
        )
    }
}

impl std::error::Error for ServerError {}

/// `{ok: 0, errmsg, code, codeName}` for a code and message.
pub fn error_document(code: Code, message: &str) -> Document {
    doc! {"ok": 0.0, "errmsg": message, "code": code.number(), "codeName": code.name()}
}

/// Whether a command is a retryable write as mongod's error labels see it: it has a
/// `txnNumber` and no `autocommit` (which would make it part of a transaction).
pub fn is_retryable_write(command: &Document) -> bool {
    command.contains_key("txnNumber") && !command.contains_key("autocommit")
}

/// Whether mongod labels a failure `RetryableWriteError` (`error_labels.cpp`): the command is
/// a retryable write, and its error code, or its write concern error's code, is in the
/// `RetriableError` category.
pub fn retryable_write_label(
    retryable_write: bool,
    code: Option<Code>,
    wc_code: Option<Code>,
) -> bool {
    retryable_write && (code.is_some_and(Code::retriable) || wc_code.is_some_and(Code::retriable))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_names_are_unique() {
        for (i, a) in Code::ALL.iter().enumerate() {
            for b in &Code::ALL[i + 1..] {
                assert_ne!(a.number(), b.number(), "{a:?} and {b:?}");
                assert_ne!(a.name(), b.name());
            }
            assert_eq!(Code::from_number(a.number()), Some(*a));
        }
    }

    #[test]
    fn location_codes_are_named_after_their_number() {
        for c in Code::ALL
            .iter()
            .filter(|c| c.name().starts_with("Location"))
        {
            assert_eq!(c.name(), format!("Location{}", c.number()));
        }
    }

    #[test]
    fn retriable_category_is_mongods() {
        let retriable: Vec<i32> = Code::ALL
            .iter()
            .filter(|c| c.retriable())
            .map(|c| c.number())
            .collect();
        assert_eq!(
            retriable,
            [6, 7, 89, 91, 134, 189, 262, 9001, 10107, 11600, 11602, 13435, 13436]
        );
        // Not retriable: write concern failures and plain command errors.
        assert!(!Code::WriteConcernFailed.retriable());
        assert!(!Code::DuplicateKey.retriable());
    }

    #[test]
    fn label_needs_a_retryable_write() {
        let write = doc! {"insert": "c", "txnNumber": 1_i64, "lsid": {"id": 1}};
        let plain = doc! {"insert": "c"};
        let txn = doc! {"insert": "c", "txnNumber": 1_i64, "autocommit": false};
        let stepped = Some(Code::PrimarySteppedDown);
        assert!(is_retryable_write(&write));
        assert!(!is_retryable_write(&plain) && !is_retryable_write(&txn));
        assert!(retryable_write_label(true, stepped, None));
        assert!(retryable_write_label(true, None, stepped));
        assert!(!retryable_write_label(false, stepped, None));
        assert!(!retryable_write_label(
            true,
            Some(Code::WriteConcernFailed),
            None
        ));
        assert!(!retryable_write_label(
            true,
            None,
            Some(Code::WriteConcernFailed)
        ));
        assert!(!retryable_write_label(true, Some(Code::DuplicateKey), None));
    }

    #[test]
    fn renders_as_mongod_does() {
        let e = ServerError::new(Code::NotWritablePrimary, "not primary");
        assert_eq!(
            e.to_document(),
            doc! {"ok": 0.0, "errmsg": "not primary", "code": 10107, "codeName": "NotWritablePrimary"}
        );
        assert!(Code::NotWritablePrimary.is_state_change());
        assert!(!Code::BadValue.is_state_change());
    }
}
