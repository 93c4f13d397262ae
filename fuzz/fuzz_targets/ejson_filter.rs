//! `--filter` / `--projection` / `--sort` parsing on arbitrary text: never panics; errors name the
//! flag and map to the usage exit code (2); a parsed document comes back off the wire codec and
//! parses again from its canonical Extended JSON to the same bytes; `relaxed_line` (the fast writer
//! behind `read`'s output) prints exactly what the bson crate's relaxed conversion prints.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rsctl::cli::args::{ejson_document, relaxed_line};
use rsctl::wire::{self, Message};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match ejson_document("--filter", text) {
        Err(e) => {
            let msg = e.to_string();
            assert!(
                msg.contains("--filter"),
                "error does not name the flag: {msg}"
            );
            assert_eq!(rsctl::cli::exit::classify(&e).code, 2, "{msg}");
        }
        Ok(doc) => {
            let bytes = bson::to_vec(&doc).expect("a parsed filter encodes as BSON");
            // Through the wire codec, as the filter travels to a server (or the lab).
            let frame = wire::encode(1, 0, &Message::Msg(wire::OpMsg::new(doc.clone())))
                .expect("an accepted filter encodes");
            match wire::decode(&frame) {
                Ok((_, Message::Msg(m))) => {
                    assert_eq!(bson::to_vec(&m.body).unwrap(), bytes, "{text:?}")
                }
                other => panic!("{text:?}: the filter does not come back off the wire: {other:?}"),
            }
            let relaxed = bson::Bson::Document(doc.clone())
                .into_relaxed_extjson()
                .to_string();
            assert_eq!(relaxed_line(doc.clone()), relaxed, "{text:?}");
            // Canonical Extended JSON keeps every type: it must parse back to the same BSON.
            let canonical = bson::Bson::Document(doc.clone())
                .into_canonical_extjson()
                .to_string();
            match ejson_document("--filter", &canonical) {
                Ok(again) => assert_eq!(
                    bson::to_vec(&again).unwrap(),
                    bytes,
                    "{text:?} -> {canonical}"
                ),
                Err(e) => {
                    panic!("{text:?}: its canonical Extended JSON {canonical} is refused: {e}")
                }
            }
        }
    }
});
