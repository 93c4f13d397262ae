//! The cluster contract the server drives ([`Engine`]), implemented by [`Cluster`].

use crate::lab::cluster::{
    Cluster, Fault, LabEvent, MemberView, Millis, Ready, Request, Response, WireResponse,
};

/// The cluster operations the server needs: exactly the [`Cluster`] contract. A trait only so
/// that the server's socket mechanics can be unit-tested with a trivial engine.
pub(crate) trait Engine: Send {
    fn handle(&mut self, request: Request, now: Millis) -> Response;
    /// [`Engine::handle`] as the sockets want it: cursor replies may come as BSON bytes.
    fn handle_wire(&mut self, request: Request, now: Millis) -> WireResponse {
        match self.handle(request, now) {
            Response::Now(d) => WireResponse::Now(d),
            Response::Parked => WireResponse::Parked,
        }
    }
    fn take_ready(&mut self) -> Vec<Ready>;
    fn tick(&mut self, now: Millis);
    fn next_deadline(&self) -> Option<Millis>;
    fn fault(
        &mut self,
        member: usize,
        fault: Fault,
        now: Millis,
    ) -> std::result::Result<(), String>;
    fn take_events(&mut self) -> Vec<LabEvent>;
    fn member_view(&self, member: usize) -> MemberView;
    fn connection_closed(&mut self, member: usize, conn: u64);
    /// The periodic no-op writer's interval (engines without an oplog ignore it).
    fn set_periodic_noop_interval(&mut self, _interval_ms: Option<Millis>) {}
    /// How many members are in initial sync (STARTUP2) now (engines without one: none).
    fn initial_syncs_running(&self) -> usize {
        0
    }
    /// A member's injected lag and clock offset in ms (engines without them: none).
    fn member_faults(&self, _member: usize) -> (Millis, i64) {
        (0, 0)
    }
}

impl Engine for Cluster {
    fn handle(&mut self, request: Request, now: Millis) -> Response {
        Cluster::handle(self, request, now)
    }
    fn handle_wire(&mut self, request: Request, now: Millis) -> WireResponse {
        Cluster::handle_wire(self, request, now)
    }
    fn take_ready(&mut self) -> Vec<Ready> {
        Cluster::take_ready(self)
    }
    fn tick(&mut self, now: Millis) {
        Cluster::tick(self, now)
    }
    fn next_deadline(&self) -> Option<Millis> {
        Cluster::next_deadline(self)
    }
    fn fault(
        &mut self,
        member: usize,
        fault: Fault,
        now: Millis,
    ) -> std::result::Result<(), String> {
        Cluster::fault(self, member, fault, now)
    }
    fn take_events(&mut self) -> Vec<LabEvent> {
        Cluster::take_events(self)
    }
    fn member_view(&self, member: usize) -> MemberView {
        Cluster::member_view(self, member)
    }
    fn connection_closed(&mut self, member: usize, conn: u64) {
        Cluster::connection_closed(self, member, conn)
    }
    fn set_periodic_noop_interval(&mut self, interval_ms: Option<Millis>) {
        Cluster::set_periodic_noop_interval(self, interval_ms)
    }
    fn initial_syncs_running(&self) -> usize {
        Cluster::initial_syncs_running(self)
    }
    fn member_faults(&self, member: usize) -> (Millis, i64) {
        (
            self.lag(member).unwrap_or(0),
            self.clock_offset(member).unwrap_or(0),
        )
    }
}
