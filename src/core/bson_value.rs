//! Reading loosely typed BSON values as MongoDB servers read them: a number of any numeric type,
//! an integer, a flag, a truth value. One copy of each rule, for the driver (hello replies) and
//! the lab (command fields) alike. Pure.

use bson::{Bson, Document};

/// The field `key` of `doc` when it is present and not null (nor undefined): how servers read
/// an optional field of a reply or a command.
pub fn field<'a>(doc: &'a Document, key: &str) -> Option<&'a Bson> {
    match doc.get(key) {
        None | Some(Bson::Null) | Some(Bson::Undefined) => None,
        Some(b) => Some(b),
    }
}

/// A number of any BSON numeric type (int32, int64, double, decimal128) as an `f64`.
pub fn as_f64(value: &Bson) -> Option<f64> {
    match value {
        Bson::Int32(i) => Some(f64::from(*i)),
        Bson::Int64(i) => Some(*i as f64),
        Bson::Double(d) => Some(*d),
        Bson::Decimal128(d) => d.to_string().parse().ok(),
        _ => None,
    }
}

/// [`as_f64`] of an optional field.
pub fn number(value: Option<&Bson>) -> Option<f64> {
    as_f64(value?)
}

/// An integral number of any BSON numeric type (a double only when it holds an exact integer).
pub fn as_i64(value: &Bson) -> Option<i64> {
    match value {
        Bson::Int32(i) => Some(i64::from(*i)),
        Bson::Int64(i) => Some(*i),
        Bson::Double(d) if d.is_finite() && d.fract() == 0.0 && d.abs() < 9.0e15 => Some(*d as i64),
        _ => None,
    }
}

/// A boolean flag field (`singleBatch`, `ordered`, `isWritablePrimary`, `hidden`...): a boolean
/// as it is, a number when it is non-zero (and not NaN); anything else, or nothing, is false.
pub fn flag(value: Option<&Bson>) -> bool {
    match value {
        Some(Bson::Boolean(b)) => *b,
        Some(v) => as_f64(v).is_some_and(|n| n != 0.0 && !n.is_nan()),
        None => false,
    }
}

/// mongod's truth value of an element (`BSONElement::trueValue`): missing, null, undefined,
/// `false` and numeric zero are false; every other value (a string, a document...) is true.
pub fn true_value(value: Option<&Bson>) -> bool {
    match value {
        None | Some(Bson::Null) | Some(Bson::Undefined) => false,
        Some(Bson::Boolean(b)) => *b,
        Some(v) => as_f64(v).is_none_or(|n| n != 0.0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_of_every_numeric_type() {
        assert_eq!(as_f64(&Bson::Int32(3)), Some(3.0));
        assert_eq!(as_f64(&Bson::Int64(-4)), Some(-4.0));
        assert_eq!(as_f64(&Bson::Double(2.5)), Some(2.5));
        let dec: bson::Decimal128 = "1.5".parse().unwrap();
        assert_eq!(as_f64(&Bson::Decimal128(dec)), Some(1.5));
        assert_eq!(as_f64(&Bson::Boolean(true)), None);
        assert_eq!(as_f64(&Bson::String("1".into())), None);
        assert_eq!(number(None), None);
    }

    #[test]
    fn fields_that_are_null_or_undefined_are_absent() {
        let d = bson::doc! {"n": Bson::Null, "u": Bson::Undefined, "z": 0, "s": ""};
        assert_eq!(field(&d, "n"), None);
        assert_eq!(field(&d, "u"), None);
        assert_eq!(field(&d, "missing"), None);
        assert_eq!(field(&d, "z"), Some(&Bson::Int32(0)));
        assert_eq!(field(&d, "s"), Some(&Bson::String(String::new())));
    }

    #[test]
    fn integers_only_when_exact() {
        assert_eq!(as_i64(&Bson::Double(7.0)), Some(7));
        assert_eq!(as_i64(&Bson::Double(7.5)), None);
        assert_eq!(as_i64(&Bson::Double(f64::NAN)), None);
        assert_eq!(as_i64(&Bson::Int32(-1)), Some(-1));
    }

    #[test]
    fn flags_and_truth_values_differ_on_other_types() {
        let s = Bson::String("yes".into());
        assert!(!flag(Some(&s)));
        assert!(true_value(Some(&s)));
        for v in [Bson::Boolean(true), Bson::Int32(1), Bson::Double(-0.5)] {
            assert!(flag(Some(&v)) && true_value(Some(&v)), "{v:?}");
        }
        for v in [
            Bson::Boolean(false),
            Bson::Int64(0),
            Bson::Null,
            Bson::Undefined,
        ] {
            assert!(!flag(Some(&v)) && !true_value(Some(&v)), "{v:?}");
        }
        assert!(!flag(Some(&Bson::Double(f64::NAN))));
        assert!(!flag(None) && !true_value(None));
    }
}
