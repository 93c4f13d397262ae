//! Command dispatch: a request's first key names the command; the admin-only rule is checked
//! here, then the command goes to the module that owns it (admin, read, write, cursor).

use bson::{doc, Bson, Document};
use rand::Rng;

use super::admin::build_info;
use super::admin_cmd::AdminCommand;
use super::crud_cmd::{
    Aggregate, Count, CreateIndexes, Delete, Distinct, Find, FindAndModify, GetMore, Insert,
    KillCursors, ListCollections, ListDatabases, ListIndexes, Update,
};
use super::{reply, Cluster, CmdResult, Millis, Request};
use crate::lab::error::{Code, ServerError};
use crate::lab::store;

impl Cluster {
    pub(super) fn dispatch(&mut self, req: &Request, now: Millis) -> CmdResult {
        let cmd = &req.command;
        let Some(name) = cmd.keys().next().cloned() else {
            return Err(ServerError::new(
                Code::CommandNotFound,
                "no such command: ''",
            ));
        };
        let m = req.member;
        let admin_only = |n: &str| -> Result<(), ServerError> {
            if req.db != "admin" {
                Err(ServerError::new(
                    Code::Unauthorized,
                    format!("{n} may only be run against the admin database."),
                ))
            } else {
                Ok(())
            }
        };
        if let Some(parsed) = AdminCommand::parse(&name, cmd) {
            if !matches!(parsed, Ok(AdminCommand::Hello(_))) {
                admin_only(&name)?;
            }
            return self.apply_admin(parsed?, req, now);
        }
        match name.as_str() {
            "ping" => reply(doc! {}),
            "buildInfo" | "buildinfo" => reply(build_info()),
            "getParameter" => reply(self.get_parameter(cmd)),
            "serverStatus" => reply(self.server_status(m, now)),
            "endSessions" | "killSessions" | "killAllSessions" | "startSession"
            | "refreshSessions" => {
                if name == "startSession" {
                    let id = bson::Binary {
                        subtype: bson::spec::BinarySubtype::Uuid,
                        bytes: self.rng.gen::<[u8; 16]>().to_vec(),
                    };
                    reply(doc! {"id": {"id": id}, "timeoutMinutes": 30})
                } else {
                    reply(doc! {})
                }
            }
            "hostInfo" => reply(
                doc! {"system": {"hostname": self.members[m].host.clone(), "numCores": 2}, "os": {"type": "Linux"}, "extra": {}},
            ),
            "getCmdLineOpts" => reply(
                doc! {"argv": ["mongod", "--replSet", self.options.set_name.clone()], "parsed": {"replication": {"replSet": self.options.set_name.clone()}}},
            ),
            "connectionStatus" => {
                reply(doc! {"authInfo": {"authenticatedUsers": [], "authenticatedUserRoles": []}})
            }
            "getLog" => reply(doc! {"totalLinesWritten": 0, "log": []}),
            "whatsmyuri" => reply(doc! {"you": "127.0.0.1:0"}),
            "shutdown" => {
                admin_only(&name)?;
                reply(doc! {})
            }
            _ => self.dispatch_data(&name, req, now),
        }
    }

    fn dispatch_data(&mut self, name: &str, req: &Request, now: u64) -> CmdResult {
        match name {
            "find" => self.cmd_find(Find::from_doc(&req.db, &req.command)?, req),
            "getMore" => self.cmd_get_more(GetMore::from_doc(&req.command)?, req),
            "killCursors" => {
                self.cmd_kill_cursors(KillCursors::from_doc(&req.db, &req.command)?, req)
            }
            "count" => self.cmd_count(Count::from_doc(&req.db, &req.command)?, req),
            "distinct" => self.cmd_distinct(Distinct::from_doc(&req.db, &req.command)?, req),
            "aggregate" => self.cmd_aggregate(Aggregate::from_doc(&req.db, &req.command)?, req),
            "listDatabases" => self.cmd_list_databases(ListDatabases::from_doc(&req.command)?, req),
            "listCollections" => {
                self.cmd_list_collections(ListCollections::from_doc(&req.command)?, req)
            }
            "listIndexes" => {
                self.cmd_list_indexes(ListIndexes::from_doc(&req.db, &req.command)?, req)
            }
            "insert" => self.cmd_insert(Insert::from_doc(&req.command)?, req, now),
            "update" => self.cmd_update(Update::from_doc(&req.command)?, req, now),
            "delete" => self.cmd_delete(Delete::from_doc(&req.command)?, req, now),
            "findAndModify" | "findandmodify" => {
                let fam = FindAndModify::from_doc(name, &req.command)?;
                self.cmd_find_and_modify(fam, req, now)
            }
            "create" => self.cmd_create(req, now),
            "createIndexes" => {
                self.cmd_create_indexes(CreateIndexes::from_doc(&req.command)?, req, now)
            }
            "drop" => self.cmd_drop(req, now),
            "dropDatabase" => self.cmd_drop_database(req, now),
            other => Err(ServerError::new(
                Code::CommandNotFound,
                format!("no such command: '{other}'"),
            )),
        }
    }

    pub(super) fn collection(&self, req: &Request, cname: &str) -> Result<String, ServerError> {
        parse_collection(&req.db, &req.command, cname)
    }
}

/// The collection a command names in its first field `cname` (mongod's namespace rules).
pub(super) fn parse_collection(
    db: &str,
    cmd: &Document,
    cname: &str,
) -> Result<String, ServerError> {
    match cmd.get(cname) {
        Some(Bson::String(c))
            if !c.is_empty() && !c.contains('\0') && (!c.contains('$') || c == "oplog.$main") =>
        {
            Ok(c.clone())
        }
        Some(Bson::String(c)) => Err(ServerError::new(
            Code::InvalidNamespace,
            format!("Invalid namespace specified '{db}.{c}'"),
        )),
        Some(other) => Err(ServerError::new(
            Code::InvalidNamespace,
            format!(
                "collection name has invalid type {}",
                store::type_name(other)
            ),
        )),
        None => Err(missing(cname, cname)),
    }
}

pub(super) fn opt_doc(
    cmd: &Document,
    cname: &str,
    field: &str,
) -> Result<Option<Document>, ServerError> {
    match cmd.get(field) {
        None | Some(Bson::Null) => Ok(None),
        Some(Bson::Document(d)) => Ok(Some(d.clone())),
        Some(other) => Err(ServerError::type_mismatch(format!(
            "BSON field '{cname}.{field}' is the wrong type '{}', expected type 'object'",
            store::type_name(other)
        ))),
    }
}

pub(super) fn missing(cname: &str, field: &str) -> ServerError {
    ServerError::new(
        Code::Location40414,
        format!("BSON field '{cname}.{field}' is missing but a required field"),
    )
}
