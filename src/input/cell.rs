//! A workbook's cell as wa-bulk keeps it while a sheet is read ([`Kept`]),
//! whichever reader gave it (wa-bulk's own xlsx reader or calamine), and as
//! the text a person sees in it: integers without `.0` (an account ID typed
//! as a number is a number, and the mapping pads it back to 12 digits),
//! dates as ISO dates, formulas as their cached values, booleans as TRUE or
//! FALSE.

use std::borrow::Cow;

use calamine::{Data, DataRef};

use super::CELL_LIMIT;

/// A cell as a reader yields it: (row, column), 0-based, and its value.
pub(super) type SheetCell<'a> = ((u32, u32), Kept<'a>);

/// A cell's value as kept: calamine's, a text the workbook holds for the
/// whole read (a shared string: never copied), an Excel error value
/// (`#N/A`), or only the size of a text too large to keep.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Kept<'a> {
    Value(Data),
    Shared(&'a str),
    Error(String),
    TooLarge(usize),
}

impl<'a> Kept<'a> {
    pub(super) const EMPTY: Kept<'static> = Kept::Value(Data::Empty);

    pub(super) fn from_ref(value: &DataRef<'_>) -> Kept<'static> {
        match value {
            DataRef::SharedString(text) => Kept::text(text),
            DataRef::String(text) | DataRef::DateTimeIso(text) | DataRef::DurationIso(text)
                if text.len() > CELL_LIMIT =>
            {
                Kept::TooLarge(text.len())
            }
            DataRef::Error(error) => Kept::Error(error.to_string()),
            other => Kept::Value(Data::from(other.clone())),
        }
    }

    /// A text cell, copied only if it is small enough to keep.
    pub(super) fn text(text: &str) -> Kept<'static> {
        match text.len() {
            0 => Kept::EMPTY,
            bytes if bytes > CELL_LIMIT => Kept::TooLarge(bytes),
            _ => Kept::Value(Data::String(text.to_owned())),
        }
    }

    /// A text that outlives the read, kept where it is.
    pub(super) fn shared(text: &'a str) -> Kept<'a> {
        match text.len() {
            0 => Kept::EMPTY,
            bytes if bytes > CELL_LIMIT => Kept::TooLarge(bytes),
            _ => Kept::Shared(text),
        }
    }

    /// The text a person sees; none for an error or a text too large to keep.
    pub(super) fn shown(&self) -> String {
        match self {
            Kept::Value(value) => cell_text(value).into_owned(),
            Kept::Shared(text) => (*text).to_owned(),
            Kept::Error(_) | Kept::TooLarge(_) => String::new(),
        }
    }
}

/// A cell as the text a person sees in it.
pub(super) fn cell_text(cell: &Data) -> Cow<'_, str> {
    Cow::Owned(match cell {
        Data::Empty | Data::Error(_) => return Cow::Borrowed(""),
        Data::String(text) | Data::DateTimeIso(text) | Data::DurationIso(text) => return Cow::Borrowed(text),
        Data::Int(number) => number.to_string(),
        Data::Float(number) => number_text(*number),
        Data::Bool(true) => "TRUE".to_owned(),
        Data::Bool(false) => "FALSE".to_owned(),
        Data::DateTime(date) if date.is_datetime() => {
            let (year, month, day, hour, minute, second, _) = date.to_ymd_hms_milli();
            if (hour, minute, second) == (0, 0, 0) {
                format!("{year:04}-{month:02}-{day:02}")
            } else {
                format!("{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}")
            }
        }
        Data::DateTime(duration) => number_text(duration.as_f64()),
    })
}

/// Whole numbers print as integers (`123`, never `123.0` or `1.23E+11`).
fn number_text(number: f64) -> String {
    if number.fract() == 0.0 && number.abs() < 1e15 {
        format!("{}", number as i64)
    } else {
        number.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_numbers_never_print_a_fraction_or_an_exponent() {
        assert_eq!(number_text(123456789012.0), "123456789012");
        assert_eq!(number_text(42.0), "42");
        assert_eq!(number_text(-3.0), "-3");
        assert_eq!(number_text(2.5), "2.5");
        assert_eq!(number_text(0.1), "0.1");
    }

    #[test]
    fn cells_read_as_a_person_sees_them() {
        assert_eq!(cell_text(&Data::Int(7)), "7");
        assert_eq!(cell_text(&Data::Bool(true)), "TRUE");
        assert_eq!(cell_text(&Data::String("x".into())), "x");
        let date = calamine::ExcelDateTime::new(45_627.0, calamine::ExcelDateTimeType::DateTime, false);
        assert_eq!(cell_text(&Data::DateTime(date)), "2024-12-01");
        let stamp = calamine::ExcelDateTime::new(45_627.5, calamine::ExcelDateTimeType::DateTime, false);
        assert_eq!(cell_text(&Data::DateTime(stamp)), "2024-12-01T12:00:00");
    }
}
