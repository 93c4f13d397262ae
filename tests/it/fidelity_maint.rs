//! Fidelity: pymongo (the official Python driver) keeps working through rsctl's planned
//! maintenance on a lab: it sees a member `rsctl member add` added and the config version rise,
//! follows `rsctl stepdown` to the new primary, and its retryable majority writes issued
//! meanwhile are all acknowledged and all found afterwards (tests/fidelity/pymongo_maint.py).
//!
//! Without pymongo the test fails and says how to get it, unless `RSCTL_SKIP_FIDELITY=1`.

use std::time::Duration;

use bson::{doc, Document};
use rsctl::lab::server::Lab;
use tokio::io::AsyncWriteExt;

use crate::gate::{self, pymongo_available};
use crate::util::{assert_code, rsctl, stdout};

const SCRIPT: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fidelity/pymongo_maint.py"
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pymongo_follows_member_add_and_stepdown_and_no_write_is_lost() {
    if !pymongo_available("fidelity_maint") {
        return;
    }
    let lab = Lab::start(crate::util::fast_lab_config(4, 21))
        .await
        .unwrap();
    let hosts = lab.hosts();
    // The first three form the set; the fourth is a fresh mongod for `member add`.
    let members: Vec<Document> = hosts[..3]
        .iter()
        .enumerate()
        .map(|(i, h)| doc! {"_id": i as i32, "host": h})
        .collect();
    let r = lab
        .run_command(
            &hosts[0],
            doc! {"replSetInitiate": {"_id": "rs0", "version": 1, "members": members,
            "settings": {"electionTimeoutMillis": 1000, "heartbeatIntervalMillis": 200}},
            "$db": "admin"},
        )
        .await
        .unwrap();
    assert_eq!(r.get_f64("ok").ok(), Some(1.0), "{r}");
    lab.wait_for_primary(Duration::from_secs(20)).await.unwrap();
    lab.wait_for_initial_syncs(Duration::from_secs(20))
        .await
        .unwrap();
    let seeds = hosts[..3].join(",");
    let new = hosts[3].clone();

    let gate::Script {
        mut child,
        mut stdin,
        stdout: mut script_out,
        stderr: stderr_text,
    } = gate::spawn_script(SCRIPT, &[seeds.clone(), new.clone()]);

    let conversation = async {
        let (mut added, mut stepped, mut finished) = (false, None, false);
        while let Some(line) = script_out.next_line().await.expect("script stdout") {
            eprintln!("fidelity script: {line}");
            if let Some(host) = line.strip_prefix("ADD ") {
                let o = rsctl(&["-u", &seeds, "member", "add", host]).await;
                assert_code(&o, 0);
                added = true;
                stdin.write_all(b"done\n").await.unwrap();
                stdin.flush().await.unwrap();
            } else if line == "STEPDOWN" {
                let o = rsctl(&[
                    "-u",
                    &seeds,
                    "--json",
                    "stepdown",
                    "--secs",
                    "10s",
                    "--catch-up",
                    "5s",
                ])
                .await;
                assert_code(&o, 0);
                let v: serde_json::Value = serde_json::from_str(stdout(&o).trim()).unwrap();
                stepped = Some((
                    v["old_primary"].as_str().unwrap().to_string(),
                    v["new_primary"].as_str().unwrap().to_string(),
                ));
                stdin.write_all(b"done\n").await.unwrap();
                stdin.flush().await.unwrap();
            } else if line == "OK" {
                finished = true;
            }
        }
        (added, stepped, finished)
    };
    let (added, stepped, finished) = tokio::time::timeout(Duration::from_secs(150), conversation)
        .await
        .expect("the pymongo script finishes within 150 s");
    let status = child.wait().await.unwrap();
    let errors = stderr_text.await.unwrap();
    eprintln!("{errors}");
    assert!(
        status.success() && finished,
        "pymongo script failed ({status}):\n{errors}"
    );
    assert!(added, "the script asked for the member to be added");
    let (old, new_primary) = stepped.expect("the script asked for a stepdown");
    assert_ne!(old, new_primary);
    assert_eq!(lab.primary().as_deref(), Some(new_primary.as_str()));
    lab.shutdown().await;
}
