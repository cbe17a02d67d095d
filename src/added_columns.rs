//! The columns wa-bulk adds after a sheet's own in what it gives back to be
//! fixed and read again: the xlsx results workbook ([`RESULT_COLUMNS`]) and
//! `--failures` ([`FAILURE_COLUMNS`]). The report writes them and the
//! reader leaves them out, so both take them from here, below either.

/// The columns of a results workbook after the input's own, in order; the
/// last two only when rows name where they go (see [`result_columns`]).
pub const RESULT_COLUMNS_WITH_DESTINATION: [&str; 10] = [
    "Status",
    "Workload Name",
    "Workload Id",
    "Workload ARN",
    "Attempts",
    "Error Code",
    "Message",
    "Input Row",
    "Account",
    "Region",
];

/// The result columns when rows do not name where they go.
pub const RESULT_COLUMNS: &[&str] = RESULT_COLUMNS_WITH_DESTINATION.split_at(8).0;

/// The result columns of a workbook, with or without the destination.
pub fn result_columns(destinations: bool) -> &'static [&'static str] {
    if destinations { &RESULT_COLUMNS_WITH_DESTINATION } else { RESULT_COLUMNS }
}

/// The columns `--failures` adds after the input's own.
pub const FAILURE_COLUMNS: [&str; 3] = ["status", "error_code", "message"];

/// Every block of columns wa-bulk adds: a header row that ends with one of
/// these, exactly, is read without them.
pub const ADDED_BLOCKS: [&[&str]; 3] = [&RESULT_COLUMNS_WITH_DESTINATION, RESULT_COLUMNS, &FAILURE_COLUMNS];
