//! The official MongoDB Rust driver as a watcher, for `benches/scale.sh` (issue 14): a `Client`
//! monitoring one replica set with an SDAM event handler, otherwise idle, as an application
//! watching its set would be. It mirrors `benches/peer_watch.py`:
//!
//! ```text
//! rsctl-rust-peer [--elections] URI [SECONDS]
//! ```
//!
//! It prints `ready N` once every server of the set has been checked (N servers) and, with
//! `--elections`, a line `primary HOST` each time its topology shows a new primary.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use mongodb::bson::doc;
use mongodb::event::sdam::SdamEvent;
use mongodb::event::EventHandler;
use mongodb::options::ClientOptions;
use mongodb::Client;

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let elections = args.iter().any(|a| a == "--elections");
    let rest: Vec<&String> = args.iter().filter(|a| !a.starts_with("--")).collect();
    let Some(uri) = rest.first() else {
        eprintln!("usage: rsctl-rust-peer [--elections] URI [SECONDS]");
        std::process::exit(2);
    };
    let seconds: f64 = rest.get(1).and_then(|s| s.parse().ok()).unwrap_or(3600.0);

    let mut options = ClientOptions::parse(uri.as_str()).await.expect("a valid URI");
    options.server_selection_timeout = Some(Duration::from_secs(30));
    // (servers seen, servers checked, the primary) from the last topology description.
    let state = Arc::new(Mutex::new((0usize, 0usize, None::<String>)));
    let seen = Arc::clone(&state);
    options.sdam_event_handler = Some(EventHandler::callback(move |event| {
        if let SdamEvent::TopologyDescriptionChanged(event) = event {
            let servers = event.new_description.servers();
            let primary = servers
                .iter()
                .find(|(_, sd)| {
                    matches!(sd.server_type(), mongodb::ServerType::RsPrimary)
                })
                .map(|(address, _)| address.to_string());
            let checked = servers
                .values()
                .filter(|sd| !matches!(sd.server_type(), mongodb::ServerType::Unknown))
                .count();
            let mut s = seen.lock().unwrap();
            if elections && primary.is_some() && primary != s.2 {
                println!("primary {}", primary.as_deref().unwrap_or(""));
            }
            *s = (servers.len(), checked, primary);
        }
    }));
    let client = Client::with_options(options).expect("a client");
    client
        .database("admin")
        .run_command(doc! { "ping": 1 })
        .await
        .expect("ping");
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        let (n, checked, _) = *state.lock().unwrap();
        if n > 0 && n == checked {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    println!("ready {}", state.lock().unwrap().0);
    tokio::time::sleep(Duration::from_secs_f64(seconds)).await;
    client.shutdown().await;
}
