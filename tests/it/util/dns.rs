//! A tiny authoritative DNS server on 127.0.0.1 (UDP, port 0) for `mongodb+srv` tests: it answers
//! SRV, TXT and A queries from a fixed table, NXDOMAIN for names it does not hold, and an empty
//! NOERROR answer for a known name asked for another type. Messages are encoded and decoded with
//! hickory-proto; the server thread stops when the value is dropped (or after five minutes).

#![allow(dead_code)]

use std::collections::HashMap;
use std::net::{Ipv4Addr, SocketAddr, UdpSocket};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use hickory_proto::op::{Message, MessageType, ResponseCode};
use hickory_proto::rr::rdata::{A, SRV, TXT};
use hickory_proto::rr::{Name, RData, Record};

/// The records served, keyed by lower-case name without the trailing dot.
#[derive(Default, Clone)]
pub struct Zone {
    records: HashMap<String, Vec<RData>>,
}

fn key(name: &str) -> String {
    name.trim_end_matches('.').to_ascii_lowercase()
}

impl Zone {
    /// An SRV record `name -> target:port`.
    pub fn srv(mut self, name: &str, target: &str, port: u16) -> Self {
        let target = Name::from_ascii(format!("{}.", key(target))).unwrap();
        self.records
            .entry(key(name))
            .or_default()
            .push(RData::SRV(SRV::new(0, 5, port, target)));
        self
    }

    /// A TXT record made of these character strings.
    pub fn txt(mut self, name: &str, strings: &[&str]) -> Self {
        let strings = strings.iter().map(|s| s.to_string()).collect();
        self.records
            .entry(key(name))
            .or_default()
            .push(RData::TXT(TXT::new(strings)));
        self
    }

    /// An A record.
    pub fn a(mut self, name: &str, ip: Ipv4Addr) -> Self {
        self.records
            .entry(key(name))
            .or_default()
            .push(RData::A(A(ip)));
        self
    }

    /// The reply to one query message.
    fn answer(&self, query: &Message) -> Message {
        let mut reply = Message::new();
        reply
            .set_id(query.id())
            .set_message_type(MessageType::Response)
            .set_op_code(query.op_code())
            .set_authoritative(true)
            .set_recursion_desired(query.recursion_desired())
            .set_recursion_available(true);
        let Some(q) = query.queries().first() else {
            reply.set_response_code(ResponseCode::FormErr);
            return reply;
        };
        reply.add_query(q.clone());
        match self.records.get(&key(&q.name().to_ascii())) {
            None => {
                reply.set_response_code(ResponseCode::NXDomain);
            }
            Some(rdatas) => {
                for rdata in rdatas.iter().filter(|r| r.record_type() == q.query_type()) {
                    reply.add_answer(Record::from_rdata(q.name().clone(), 60, rdata.clone()));
                }
            }
        }
        reply
    }
}

/// A running server.
pub struct DnsServer {
    /// Where it listens (`127.0.0.1:PORT`).
    pub addr: SocketAddr,
    stop: Arc<AtomicBool>,
    queries: Arc<AtomicUsize>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl DnsServer {
    /// Starts serving `zone`.
    pub fn start(zone: Zone) -> DnsServer {
        let socket = UdpSocket::bind("127.0.0.1:0").expect("a UDP port");
        socket
            .set_read_timeout(Some(Duration::from_millis(50)))
            .unwrap();
        let addr = socket.local_addr().unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let queries = Arc::new(AtomicUsize::new(0));
        let (stop2, queries2) = (Arc::clone(&stop), Arc::clone(&queries));
        let thread = std::thread::spawn(move || {
            let deadline = Instant::now() + Duration::from_secs(300);
            let mut buf = [0u8; 4096];
            while !stop2.load(Ordering::SeqCst) && Instant::now() < deadline {
                let Ok((n, from)) = socket.recv_from(&mut buf) else {
                    continue;
                };
                let Ok(query) = Message::from_vec(&buf[..n]) else {
                    continue;
                };
                queries2.fetch_add(1, Ordering::SeqCst);
                if let Ok(bytes) = zone.answer(&query).to_vec() {
                    let _ = socket.send_to(&bytes, from);
                }
            }
        });
        DnsServer {
            addr,
            stop,
            queries,
            thread: Some(thread),
        }
    }

    /// How many queries it has answered.
    pub fn queries(&self) -> usize {
        self.queries.load(Ordering::SeqCst)
    }
}

impl Drop for DnsServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
