//! Fidelity: the official Python driver (pymongo, pinned in tests/fidelity/requirements.txt)
//! talks to an in-process lab and must see a replica set, read through tag sets and survive a
//! failover (tests/fidelity/pymongo_lab.py says exactly what it checks).
//!
//! Without pymongo the test fails and says how to install it, unless `RSCTL_SKIP_FIDELITY=1`,
//! in which case it prints that it skipped and why.

use std::time::Duration;

use rsctl::core::description::Tags;
use rsctl::lab::cluster::Fault;
use rsctl::lab::server::Lab;
use tokio::io::AsyncWriteExt;

use crate::gate::{self, pymongo_available};

const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fidelity/pymongo_lab.py");

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pymongo_discovers_reads_by_tag_and_survives_a_failover() {
    if !pymongo_available("fidelity") {
        return;
    }
    let lab = Lab::start(crate::util::fast_lab_config(3, 11))
        .await
        .unwrap();
    let tags: Vec<Tags> = ["ny", "ny", "sf"]
        .iter()
        .map(|dc| Tags::from([("dc".to_string(), dc.to_string())]))
        .collect();
    lab.initiate(&tags, false).await.unwrap();
    let sf = lab.hosts()[2].clone();
    if lab.primary().as_deref() == Some(sf.as_str()) {
        // The script reads from the sf member as a secondary: move the primary elsewhere.
        let mut notices = lab.subscribe();
        let r = lab
            .run_command(
                &sf,
                bson::doc! {"replSetStepDown": 30, "force": true, "$db": "admin"},
            )
            .await
            .unwrap();
        assert_eq!(r.get_f64("ok").ok(), Some(1.0), "{r}");
        tokio::time::timeout(Duration::from_secs(30), async {
            while !matches!(notices.recv().await, Ok(rsctl::lab::server::LabNotice::Elected { ref host, .. }) if *host != sf) {}
        })
        .await
        .expect("another member is elected");
    }

    let gate::Script {
        mut child,
        mut stdin,
        mut stdout,
        stderr: stderr_text,
    } = gate::spawn_script(SCRIPT, &[lab.seed_list()]);

    let conversation = async {
        let mut killed = None;
        let mut finished = false;
        while let Some(line) = stdout.next_line().await.expect("script stdout") {
            eprintln!("fidelity script: {line}");
            if let Some(host) = line.strip_prefix("KILL ") {
                assert_eq!(
                    lab.primary().as_deref(),
                    Some(host),
                    "the script names the lab's primary"
                );
                lab.fault(host, Fault::Kill).await.unwrap();
                stdin.write_all(b"killed\n").await.unwrap();
                stdin.flush().await.unwrap();
                killed = Some(host.to_string());
            } else if let Some(rest) = line.strip_prefix("LATENCY ") {
                let (host, ms) = rest.split_once(' ').expect("LATENCY HOST MS");
                lab.fault(host, Fault::Latency(ms.parse().unwrap()))
                    .await
                    .unwrap();
                stdin.write_all(b"done\n").await.unwrap();
                stdin.flush().await.unwrap();
            } else if line == "OK" {
                finished = true;
            }
        }
        (killed, finished)
    };
    let (killed, finished) = tokio::time::timeout(Duration::from_secs(120), conversation)
        .await
        .expect("the pymongo script finishes within 2 minutes");
    let status = child.wait().await.unwrap();
    let errors = stderr_text.await.unwrap();
    eprintln!("{errors}");
    assert!(
        status.success() && finished,
        "pymongo script failed ({status}):\n{errors}"
    );
    let killed = killed.expect("the script asked for the primary to be killed");
    let new_primary = lab.primary().expect("a new primary");
    assert_ne!(new_primary, killed);
    lab.shutdown().await;
}
