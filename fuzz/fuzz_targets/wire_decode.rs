//! The wire codec on arbitrary bytes: `frame_length`, `decode_header` and `decode` never panic,
//! agree with each other, and whatever decodes re-encodes to a frame that decodes to the same
//! message (compared through its encoding, so NaN doubles compare equal); `decode_op_msg_raw`
//! agrees with `decode`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rsctl::wire::{self, Message, DEFAULT_MAX_MESSAGE_SIZE, HEADER_LEN};

fn le_i32(b: &[u8]) -> i32 {
    i32::from_le_bytes([b[0], b[1], b[2], b[3]])
}

fn check_frame_length(data: &[u8], max: usize) {
    match wire::frame_length(data, max) {
        Ok(None) => assert!(data.len() < 4, "no length read from {} bytes", data.len()),
        Ok(Some(n)) => {
            assert!(data.len() >= 4);
            assert!(
                (HEADER_LEN..=max).contains(&n),
                "length {n} accepted (max {max})"
            );
            assert_eq!(n as i64, le_i32(data) as i64);
        }
        Err(_) => {
            assert!(data.len() >= 4);
            let n = le_i32(data);
            assert!(
                n < HEADER_LEN as i32 || n as usize > max,
                "length {n} refused (max {max})"
            );
        }
    }
}

/// `decode_op_msg_raw` (cursor replies kept as BSON bytes) agrees with `decode`.
fn check_decode_raw(frame: &[u8]) {
    match wire::decode_op_msg_raw(frame) {
        Err(e) => assert!(
            wire::decode(frame).is_err(),
            "decode_op_msg_raw refuses what decode accepts: {e}"
        ),
        Ok(None) => {}
        Ok(Some((header, flags, body))) => {
            if let Ok((h, Message::Msg(m))) = wire::decode(frame) {
                assert_eq!(h, header);
                assert_eq!(m.flags, flags);
                assert!(m.sequences.is_empty());
                let raw_doc = bson::Document::try_from(body.as_ref())
                    .expect("decode read these bytes as a document");
                assert_eq!(
                    bson::to_vec(&raw_doc).unwrap(),
                    bson::to_vec(&m.body).unwrap(),
                    "the raw body and the decoded body differ"
                );
            }
        }
    }
}

fn check_decode(frame: &[u8]) {
    check_decode_raw(frame);
    let Ok((header, message)) = wire::decode(frame) else {
        return;
    };
    assert_eq!(header.message_length as usize, frame.len());
    assert_eq!(wire::decode_header(frame).ok(), Some(header));
    let expected_op = match &message {
        Message::Msg(_) => wire::OP_MSG,
        Message::Query(_) => wire::OP_QUERY,
        Message::Reply(_) => wire::OP_REPLY,
    };
    assert_eq!(header.op_code, expected_op);

    let encoded = wire::encode(header.request_id, header.response_to, &message)
        .expect("a decoded message encodes again");
    assert_eq!(
        wire::frame_length(&encoded, usize::MAX),
        Ok(Some(encoded.len())),
        "the encoding's length field is wrong"
    );
    let (h2, m2) = match wire::decode(&encoded) {
        Ok(x) => x,
        Err(e) => panic!("a decoded message does not decode once re-encoded: {e}\n{message:?}"),
    };
    assert_eq!(
        (h2.request_id, h2.response_to, h2.op_code),
        (header.request_id, header.response_to, header.op_code)
    );
    let again =
        wire::encode(h2.request_id, h2.response_to, &m2).expect("a decoded message encodes again");
    assert_eq!(
        encoded, again,
        "encode(decode(encode(m))) differs from encode(m)"
    );
}

fuzz_target!(|data: &[u8]| {
    check_frame_length(data, DEFAULT_MAX_MESSAGE_SIZE);
    check_frame_length(data, 64);
    match wire::decode_header(data) {
        Ok(h) => {
            assert!(data.len() >= HEADER_LEN);
            assert_eq!(h.message_length, le_i32(&data[0..]));
            assert_eq!(h.request_id, le_i32(&data[4..]));
            assert_eq!(h.response_to, le_i32(&data[8..]));
            assert_eq!(h.op_code, le_i32(&data[12..]));
        }
        Err(_) => assert!(data.len() < HEADER_LEN),
    }
    check_decode(data);
    // The same bytes with a correct length field, so the fuzzer reaches the message bodies.
    if data.len() >= HEADER_LEN && le_i32(data) as i64 != data.len() as i64 {
        let mut frame = data.to_vec();
        frame[0..4].copy_from_slice(&(data.len() as i32).to_le_bytes());
        check_decode(&frame);
    }
});
