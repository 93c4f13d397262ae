//! Fidelity of max staleness: pymongo (pinned in tests/fidelity/requirements.txt) reads with
//! `Secondary(max_staleness=90)` from an in-process lab where one secondary is held back
//! (`Fault::Lag`) and the primary's clock jumps ahead (`Fault::Clock`): pymongo must estimate
//! that member too stale, as rsctl does (tests/fidelity/pymongo_staleness.py says exactly what it
//! checks).
//!
//! Without pymongo the test fails and says how to install it, unless `RSCTL_SKIP_FIDELITY=1`,
//! in which case it prints that it skipped and why.

use std::time::Duration;

use rsctl::lab::cluster::Fault;
use rsctl::lab::server::Lab;
use tokio::io::AsyncWriteExt;

use crate::gate::{self, pymongo_available};

const SCRIPT: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fidelity/pymongo_staleness.py"
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pymongo_max_staleness_avoids_the_stale_member() {
    if !pymongo_available("fidelity_staleness") {
        return;
    }
    let lab = Lab::start(crate::util::fast_lab_config(3, 5))
        .await
        .unwrap();
    // An idle primary's no-op carries its (skewed) clock to lastWriteDate quickly.
    lab.set_periodic_noop_interval(Some(Duration::from_millis(500)));
    lab.initiate(&[], false).await.unwrap();

    let gate::Script {
        mut child,
        mut stdin,
        mut stdout,
        stderr: stderr_text,
    } = gate::spawn_script(SCRIPT, &[lab.seed_list()]);

    let conversation = async {
        let mut faults = Vec::new();
        let mut finished = false;
        while let Some(line) = stdout.next_line().await.expect("script stdout") {
            eprintln!("fidelity script: {line}");
            let words: Vec<&str> = line.split(' ').collect();
            let fault = match words.as_slice() {
                ["LAG", host, ms] => Some((host.to_string(), Fault::Lag(ms.parse().unwrap()))),
                ["CLOCK", host, ms] => Some((host.to_string(), Fault::Clock(ms.parse().unwrap()))),
                ["OK"] => {
                    finished = true;
                    None
                }
                _ => panic!("unexpected line from the script: {line:?}"),
            };
            if let Some((host, fault)) = fault {
                lab.fault(&host, fault).await.unwrap();
                faults.push((host, fault));
                stdin.write_all(b"done\n").await.unwrap();
                stdin.flush().await.unwrap();
            }
        }
        (faults, finished)
    };
    let (faults, finished) = tokio::time::timeout(Duration::from_secs(150), conversation)
        .await
        .expect("the pymongo script finishes within 150 s");
    let status = child.wait().await.unwrap();
    let errors = stderr_text.await.unwrap();
    eprintln!("{errors}");
    assert!(
        status.success() && finished,
        "pymongo script failed ({status}):\n{errors}"
    );
    // The script really asked for both kinds of fault on the lab's members.
    assert_eq!(faults.len(), 4, "{faults:?}");
    let primary = lab.primary().expect("still a primary");
    assert!(faults
        .iter()
        .any(|(h, f)| *h == primary && *f == Fault::Clock(300_000)));
    assert_eq!(
        faults
            .iter()
            .filter(|(h, f)| *h != primary && *f == Fault::Lag(600_000))
            .count(),
        2
    );
    lab.shutdown().await;
}
