//! A small connection pool per server, with a generation.
//!
//! `clear()` bumps the generation and drops idle connections; a connection from an older
//! generation (or one marked broken) is discarded when it is checked back in. The number of
//! connections in use is what server selection's "power of two choices" compares.

use std::ops::{Deref, DerefMut};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use crate::core::address::ServerAddress;
use crate::core::error::Result;
use crate::net::connection::{Connection, ConnectionOptions};

/// How many idle connections a pool keeps.
pub const MAX_IDLE: usize = 8;

#[derive(Debug, Default)]
struct PoolState {
    generation: u32,
    idle: Vec<Connection>,
}

/// The connection pool of one server.
#[derive(Debug)]
pub struct Pool {
    address: ServerAddress,
    options: ConnectionOptions,
    state: Mutex<PoolState>,
    /// Connections currently checked out (the server's operationCount for selection).
    in_use: AtomicUsize,
    /// The server is known to understand OP_MSG `hello` (set from monitor replies).
    use_hello: AtomicBool,
}

/// Why a checkout failed, with what SDAM error handling needs to know.
#[derive(Debug, Clone)]
pub struct CheckoutError {
    pub error: crate::core::error::Error,
    /// The pool generation when the connection attempt started.
    pub generation: u32,
}

impl Pool {
    /// An empty pool for `address`.
    pub fn new(address: ServerAddress, options: ConnectionOptions) -> Arc<Pool> {
        Arc::new(Pool {
            address,
            options,
            state: Mutex::new(PoolState::default()),
            in_use: AtomicUsize::new(0),
            use_hello: AtomicBool::new(false),
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, PoolState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The server this pool connects to.
    pub fn address(&self) -> &ServerAddress {
        &self.address
    }

    /// The current generation.
    pub fn generation(&self) -> u32 {
        self.lock().generation
    }

    /// Connections checked out right now.
    pub fn in_use(&self) -> usize {
        self.in_use.load(Ordering::Relaxed)
    }

    /// Idle connections kept right now.
    pub fn idle(&self) -> usize {
        self.lock().idle.len()
    }

    /// Records whether the server understands OP_MSG `hello` (so new connections skip the
    /// legacy OP_QUERY handshake).
    pub fn set_use_hello(&self, yes: bool) {
        self.use_hello.store(yes, Ordering::Relaxed);
    }

    /// Bumps the generation and closes every idle connection. Returns the new generation.
    pub fn clear(&self) -> u32 {
        let dropped = {
            let mut st = self.lock();
            st.generation += 1;
            std::mem::take(&mut st.idle)
        };
        drop(dropped);
        self.generation()
    }

    /// An idle connection of the current generation, or a new one (connect + handshake).
    pub async fn checkout(
        self: &Arc<Self>,
    ) -> std::result::Result<PooledConnection, CheckoutError> {
        let (reused, generation) = {
            let mut st = self.lock();
            (st.idle.pop(), st.generation)
        };
        let conn = match reused {
            Some(c) => c,
            None => {
                let use_hello = self.use_hello.load(Ordering::Relaxed);
                match Connection::connect(&self.address, &self.options, generation, use_hello).await
                {
                    Ok((c, hs)) => {
                        if hs.reply.get_bool("helloOk").unwrap_or(false) {
                            self.set_use_hello(true);
                        }
                        c
                    }
                    Err(error) => return Err(CheckoutError { error, generation }),
                }
            }
        };
        self.in_use.fetch_add(1, Ordering::Relaxed);
        Ok(PooledConnection {
            conn: Some(conn),
            pool: Arc::clone(self),
        })
    }

    /// Returns a connection: kept if healthy, of the current generation and under the idle cap.
    fn check_in(&self, conn: Connection) {
        self.in_use.fetch_sub(1, Ordering::Relaxed);
        if conn.is_broken() || conn.is_streaming() {
            return;
        }
        let mut st = self.lock();
        if conn.generation() == st.generation && st.idle.len() < MAX_IDLE {
            st.idle.push(conn);
        }
    }
}

/// A checked-out connection; goes back to its pool when dropped.
#[derive(Debug)]
pub struct PooledConnection {
    conn: Option<Connection>,
    pool: Arc<Pool>,
}

impl PooledConnection {
    /// Runs a command, see [`Connection::run_command_with`].
    pub async fn run(
        &mut self,
        db: &str,
        cmd: bson::Document,
        read_preference: Option<&crate::core::read_pref::ReadPreference>,
    ) -> Result<bson::Document> {
        self.deref_mut()
            .run_command_with(db, cmd, read_preference)
            .await
    }
}

impl PooledConnection {
    /// Runs a command and returns the reply as raw BSON (see [`Connection::run_command_raw`]).
    pub async fn run_raw(
        &mut self,
        db: &str,
        cmd: bson::Document,
        read_preference: Option<&crate::core::read_pref::ReadPreference>,
    ) -> Result<bson::RawDocumentBuf> {
        self.deref_mut()
            .run_command_raw(db, cmd, read_preference)
            .await
    }
}

impl Deref for PooledConnection {
    type Target = Connection;
    fn deref(&self) -> &Connection {
        self.conn.as_ref().expect("present until drop")
    }
}

impl DerefMut for PooledConnection {
    fn deref_mut(&mut self) -> &mut Connection {
        self.conn.as_mut().expect("present until drop")
    }
}

impl Drop for PooledConnection {
    fn drop(&mut self) {
        if let Some(c) = self.conn.take() {
            self.pool.check_in(c);
        }
    }
}
