//! Typed admin commands: `hello` and the replica-set commands, each parsed from its request
//! document into a struct first (`from_doc`, which answers mongod's error code for a bad field),
//! then applied to the cluster (`apply`, in `admin`). The shape of mini-redis' `cmd/`: the
//! reading of fields lives here, the behaviour in the module that owns it. Pure.

use bson::{oid::ObjectId, Bson, Document};

use crate::core::bson_value::{as_f64, number, true_value};
use crate::lab::error::{Code, ServerError};
use crate::lab::store;

/// An admin command, parsed.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum AdminCommand {
    Hello(Hello),
    Initiate(Initiate),
    GetStatus(GetStatus),
    GetConfig(GetConfig),
    Reconfig(Reconfig),
    StepDown(StepDown),
    StepUp(StepUp),
    Freeze(Freeze),
}

impl AdminCommand {
    /// Parses `cmd` when `name` is one of the admin commands (None: another command).
    pub(super) fn parse(name: &str, cmd: &Document) -> Option<Result<AdminCommand, ServerError>> {
        Some(match name {
            "hello" | "isMaster" | "ismaster" => Hello::from_doc(cmd).map(AdminCommand::Hello),
            "replSetInitiate" => Initiate::from_doc(cmd).map(AdminCommand::Initiate),
            "replSetGetStatus" => Ok(AdminCommand::GetStatus(GetStatus)),
            "replSetGetConfig" => GetConfig::from_doc(cmd).map(AdminCommand::GetConfig),
            "replSetReconfig" => Reconfig::from_doc(cmd).map(AdminCommand::Reconfig),
            "replSetStepDown" => StepDown::from_doc(cmd).map(AdminCommand::StepDown),
            "replSetStepUp" => Ok(AdminCommand::StepUp(StepUp::from_doc(cmd))),
            "replSetFreeze" => Ok(AdminCommand::Freeze(Freeze::from_doc(cmd))),
            _ => return None,
        })
    }
}

/// `hello` / `isMaster`, possibly awaitable.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Hello {
    /// The request document (its name and `helloOk` shape the reply).
    pub(super) command: Document,
    /// An awaitable hello: the client's topologyVersion and how long it may wait.
    pub(super) awaiting: Option<AwaitHello>,
}

/// The awaitable part of a `hello`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct AwaitHello {
    /// `topologyVersion.processId` (None when absent or not an ObjectId).
    pub(super) process_id: Option<ObjectId>,
    /// `topologyVersion.counter`.
    pub(super) counter: Option<i64>,
    /// `maxAwaitTimeMS`.
    pub(super) max_await_ms: u64,
}

impl Hello {
    pub(super) fn from_doc(cmd: &Document) -> Result<Hello, ServerError> {
        let awaiting = match (cmd.get("topologyVersion"), cmd.get("maxAwaitTimeMS")) {
            (Some(_), None) => {
                return Err(ServerError::new(
                    Code::FailedToParse,
                    "A request with a 'topologyVersion' must include 'maxAwaitTimeMS'",
                ))
            }
            (None, Some(_)) => {
                return Err(ServerError::new(
                    Code::FailedToParse,
                    "A request with 'maxAwaitTimeMS' must include a 'topologyVersion'",
                ))
            }
            (Some(Bson::Document(tv)), Some(wait)) => {
                let Some(wait) = number(Some(wait)).filter(|w| *w >= 0.0) else {
                    return Err(ServerError::bad_value(
                        "maxAwaitTimeMS must be a non-negative integer",
                    ));
                };
                Some(AwaitHello {
                    process_id: match tv.get("processId") {
                        Some(Bson::ObjectId(id)) => Some(*id),
                        _ => None,
                    },
                    counter: number(tv.get("counter")).map(|c| c as i64),
                    max_await_ms: wait as u64,
                })
            }
            (Some(_), Some(_)) => {
                return Err(ServerError::type_mismatch(
                    "topologyVersion must be an object",
                ))
            }
            (None, None) => None,
        };
        Ok(Hello {
            command: cmd.clone(),
            awaiting,
        })
    }
}

/// `replSetInitiate`: a config, or nothing (mongod then builds a one-member config).
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Initiate {
    pub(super) config: Option<Document>,
}

impl Initiate {
    pub(super) fn from_doc(cmd: &Document) -> Result<Initiate, ServerError> {
        match cmd.get("replSetInitiate") {
            Some(Bson::Document(d)) if !d.is_empty() => Ok(Initiate {
                config: Some(d.clone()),
            }),
            _ => Ok(Initiate { config: None }),
        }
    }
}

/// `replSetGetStatus`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct GetStatus;

/// `replSetGetConfig`, optionally with `commitmentStatus`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct GetConfig {
    pub(super) commitment_status: bool,
}

impl GetConfig {
    pub(super) fn from_doc(cmd: &Document) -> Result<GetConfig, ServerError> {
        let commitment_status = match cmd.get("commitmentStatus") {
            None | Some(Bson::Null) => false,
            Some(Bson::Boolean(b)) => *b,
            Some(v) if as_f64(v).is_some() => true_value(Some(v)),
            Some(other) => {
                return Err(ServerError::type_mismatch(format!(
                    "Expected boolean or number type for field \"commitmentStatus\", found {}",
                    store::type_name(other)
                )))
            }
        };
        Ok(GetConfig { commitment_status })
    }
}

/// `replSetReconfig`.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Reconfig {
    pub(super) config: Document,
    pub(super) force: bool,
    /// `maxTimeMS`: how long to wait for the current config to be committed (None: for ever).
    pub(super) max_time_ms: Option<u64>,
}

impl Reconfig {
    pub(super) fn from_doc(cmd: &Document) -> Result<Reconfig, ServerError> {
        let Some(Bson::Document(config)) = cmd.get("replSetReconfig") else {
            return Err(ServerError::type_mismatch(
                "expected an object as the replSetReconfig argument",
            ));
        };
        let max_time_ms = match cmd.get("maxTimeMS") {
            None | Some(Bson::Null) => None,
            Some(v) => match as_f64(v) {
                Some(ms) if ms >= 0.0 && ms.fract() == 0.0 => (ms > 0.0).then_some(ms as u64),
                _ => {
                    return Err(ServerError::bad_value(format!(
                        "{v} value for maxTimeMS is out of range"
                    )))
                }
            },
        };
        Ok(Reconfig {
            config: config.clone(),
            force: true_value(cmd.get("force")),
            max_time_ms,
        })
    }
}

/// `replSetStepDown`, its periods checked as mongod checks them (`CmdReplSetStepDown::run`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct StepDown {
    /// stepDownSecs: the old primary may not stand for this long (0 or non-numeric: 60).
    pub(super) secs: u64,
    /// secondaryCatchUpPeriodSecs (default 10, or 0 with `force`).
    pub(super) catch_up_secs: u64,
    pub(super) force: bool,
}

impl StepDown {
    pub(super) fn from_doc(cmd: &Document) -> Result<StepDown, ServerError> {
        let force = true_value(cmd.get("force"));
        // mongod reads the period with numberLong(): doubles truncate, anything else is 0.
        let secs = cmd
            .iter()
            .next()
            .and_then(|(_, v)| as_f64(v))
            .map_or(0, |s| s.trunc() as i64);
        let secs = match secs {
            0 => 60,
            s if s < 0 => {
                return Err(ServerError::bad_value(
                    "stepdown period must be a positive integer",
                ))
            }
            s => s,
        };
        let catch_up = match cmd.get("secondaryCatchUpPeriodSecs") {
            None => {
                if force {
                    0
                } else {
                    10
                }
            }
            Some(v) => match as_f64(v) {
                Some(n) if n.fract() == 0.0 => n as i64,
                Some(n) => {
                    return Err(ServerError::bad_value(format!(
                        "Expected field \"secondaryCatchUpPeriodSecs\" to have a value exactly representable as a 64-bit integer, but found {n}"
                    )))
                }
                None => {
                    return Err(ServerError::type_mismatch(format!(
                        "Expected field \"secondaryCatchUpPeriodSecs\" to have numeric type, but found {}",
                        store::type_name(v)
                    )))
                }
            },
        };
        if catch_up < 0 {
            return Err(ServerError::bad_value(
                "secondaryCatchUpPeriodSecs period must be a positive or absent",
            ));
        }
        if secs < catch_up {
            return Err(ServerError::bad_value(
                "stepdown period must be longer than secondaryCatchUpPeriodSecs",
            ));
        }
        Ok(StepDown {
            secs: secs as u64,
            catch_up_secs: catch_up as u64,
            force,
        })
    }
}

/// `replSetStepUp`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct StepUp {
    /// Skip the dry run (an election handoff does).
    pub(super) skip_dry_run: bool,
}

impl StepUp {
    pub(super) fn from_doc(cmd: &Document) -> StepUp {
        StepUp {
            skip_dry_run: true_value(cmd.get("skipDryRun")),
        }
    }
}

/// `replSetFreeze: secs` (mongod reads it with numberInt(): non-numbers are 0, an unfreeze).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Freeze {
    pub(super) secs: i64,
}

impl Freeze {
    pub(super) fn from_doc(cmd: &Document) -> Freeze {
        let secs = cmd
            .iter()
            .next()
            .and_then(|(_, v)| as_f64(v))
            .map_or(0, |s| s.trunc() as i64);
        Freeze { secs }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bson::doc;

    fn code(r: Result<impl std::fmt::Debug, ServerError>) -> i32 {
        r.expect_err("must fail").code.number()
    }

    #[test]
    fn stepdown_periods_are_read_as_mongod_reads_them() {
        let s = StepDown::from_doc(&doc! {"replSetStepDown": 0}).unwrap();
        assert_eq!((s.secs, s.catch_up_secs, s.force), (60, 10, false));
        let s = StepDown::from_doc(&doc! {"replSetStepDown": "x", "force": true}).unwrap();
        assert_eq!((s.secs, s.catch_up_secs, s.force), (60, 0, true));
        let s = StepDown::from_doc(&doc! {"replSetStepDown": 30.9}).unwrap();
        assert_eq!(s.secs, 30);
        // equal periods are accepted
        let s = StepDown::from_doc(&doc! {"replSetStepDown": 10, "secondaryCatchUpPeriodSecs": 10})
            .unwrap();
        assert_eq!((s.secs, s.catch_up_secs), (10, 10));
        assert_eq!(code(StepDown::from_doc(&doc! {"replSetStepDown": -1})), 2);
        assert_eq!(
            code(StepDown::from_doc(
                &doc! {"replSetStepDown": 5, "secondaryCatchUpPeriodSecs": 6}
            )),
            2
        );
        assert_eq!(
            code(StepDown::from_doc(
                &doc! {"replSetStepDown": 60, "secondaryCatchUpPeriodSecs": -1}
            )),
            2
        );
        assert_eq!(
            code(StepDown::from_doc(
                &doc! {"replSetStepDown": 60, "secondaryCatchUpPeriodSecs": "ten"}
            )),
            14
        );
    }

    #[test]
    fn hello_await_fields_come_together() {
        assert_eq!(
            code(Hello::from_doc(&doc! {"hello": 1, "maxAwaitTimeMS": 10})),
            9
        );
        assert_eq!(
            code(Hello::from_doc(
                &doc! {"hello": 1, "topologyVersion": {"counter": 0}}
            )),
            9
        );
        assert_eq!(
            code(Hello::from_doc(
                &doc! {"hello": 1, "topologyVersion": 1, "maxAwaitTimeMS": 10}
            )),
            14
        );
        assert_eq!(
            code(Hello::from_doc(
                &doc! {"hello": 1, "topologyVersion": {"counter": 0}, "maxAwaitTimeMS": -1}
            )),
            2
        );
        let id = ObjectId::new();
        let h = Hello::from_doc(
            &doc! {"hello": 1, "topologyVersion": {"processId": id, "counter": 3_i64}, "maxAwaitTimeMS": 500},
        )
        .unwrap();
        assert_eq!(
            h.awaiting,
            Some(AwaitHello {
                process_id: Some(id),
                counter: Some(3),
                max_await_ms: 500
            })
        );
    }

    #[test]
    fn reconfig_needs_an_object_and_freeze_reads_an_int() {
        assert_eq!(code(Reconfig::from_doc(&doc! {"replSetReconfig": 1})), 14);
        let r = Reconfig::from_doc(&doc! {"replSetReconfig": {"_id": "rs0"}, "force": 1}).unwrap();
        assert!(r.force && r.max_time_ms.is_none());
        assert_eq!(Freeze::from_doc(&doc! {"replSetFreeze": 30.5}).secs, 30);
        assert_eq!(Freeze::from_doc(&doc! {"replSetFreeze": "x"}).secs, 0);
        assert!(StepUp::from_doc(&doc! {"replSetStepUp": 1, "skipDryRun": true}).skip_dry_run);
        assert_eq!(
            code(GetConfig::from_doc(
                &doc! {"replSetGetConfig": 1, "commitmentStatus": "yes"}
            )),
            14
        );
        assert!(matches!(
            AdminCommand::parse("replSetGetStatus", &doc! {"replSetGetStatus": 1}),
            Some(Ok(AdminCommand::GetStatus(_)))
        ));
        assert!(AdminCommand::parse("find", &doc! {"find": "c"}).is_none());
    }
}
