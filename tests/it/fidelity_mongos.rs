//! Fidelity through mongos: the official Python driver (pymongo) talks to the lab's routers and
//! must see a Sharded topology, run listShards, forward a secondary read preference and survive
//! the death of the router in use (tests/fidelity/pymongo_mongos.py says exactly what it checks).
//!
//! Without pymongo the test fails and says how to install it, unless `RSCTL_SKIP_FIDELITY=1`,
//! in which case it prints that it skipped and why (as tests/it/fidelity.rs does).

use std::time::Duration;

use rsctl::lab::cluster::Fault;
use rsctl::lab::server::Lab;
use tokio::io::AsyncWriteExt;

use crate::gate::{self, pymongo_available};

const SCRIPT: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fidelity/pymongo_mongos.py"
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pymongo_sees_routers_and_survives_a_router_kill() {
    if !pymongo_available("fidelity (mongos)") {
        return;
    }
    let lab = Lab::start(crate::util::fast_lab_config(3, 13))
        .await
        .unwrap();
    lab.initiate(&[], false).await.unwrap();
    lab.start_routers(3, 0).await.unwrap();

    let gate::Script {
        mut child,
        mut stdin,
        mut stdout,
        stderr: stderr_text,
    } = gate::spawn_script(SCRIPT, &[lab.router_seed_list(), lab.seed_list()]);
    let conversation = async {
        let (mut killed, mut checked, mut finished) = (None, false, false);
        while let Some(line) = stdout.next_line().await.expect("script stdout") {
            eprintln!("fidelity script: {line}");
            if let Some(router) = line.strip_prefix("CHECK_SECONDARY ") {
                let f = lab
                    .router_last_forward(router)
                    .expect("the router forwarded");
                assert_eq!(f.command, "find");
                let mode = f
                    .read_preference
                    .as_ref()
                    .and_then(|d| d.get_str("mode").ok().map(str::to_string));
                assert_eq!(mode.as_deref(), Some("secondary"), "{f:?}");
                assert!(f.served_by.is_some());
                assert_ne!(f.served_by, lab.primary(), "a secondary served it");
                checked = true;
                stdin.write_all(b"done\n").await.unwrap();
                stdin.flush().await.unwrap();
            } else if let Some(router) = line.strip_prefix("KILL ") {
                assert!(lab.routers().iter().any(|r| r == router), "{router}");
                lab.fault(router, Fault::Kill).await.unwrap();
                killed = Some(router.to_string());
                stdin.write_all(b"killed\n").await.unwrap();
                stdin.flush().await.unwrap();
            } else if line == "OK" {
                finished = true;
            }
        }
        (killed, checked, finished)
    };
    let (killed, checked, finished) = tokio::time::timeout(Duration::from_secs(120), conversation)
        .await
        .expect("the pymongo script finishes within 2 minutes");
    let status = child.wait().await.unwrap();
    let errors = stderr_text.await.unwrap();
    eprintln!("{errors}");
    assert!(
        status.success() && finished,
        "pymongo script failed ({status}):\n{errors}"
    );
    assert!(checked, "the secondary read was checked");
    let killed = killed.expect("the script asked for a router to be killed");
    assert!(!lab.router_view(&killed).unwrap().up);
    lab.shutdown().await;
}
