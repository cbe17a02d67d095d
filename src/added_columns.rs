//! The columns wa-bulk adds after a sheet's own in what it gives back to be
//! fixed and read again: the xlsx results workbook ([`ResultColumn`]),
//! `--failures` ([`FAILURE_COLUMNS`]) and the read-only columns of `export`
//! ([`READ_ONLY_COLUMNS`]: risks, milestone, shares). The writers write
//! them and the reader leaves them out, so both take them from here, below
//! either.

/// A column of a results workbook after the input's own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResultColumn {
    Status,
    WorkloadName,
    WorkloadId,
    WorkloadArn,
    Attempts,
    ErrorCode,
    Message,
    InputRow,
    /// Only when rows name where they go, as the last two.
    Account,
    Region,
}

impl ResultColumn {
    /// In the workbook's order.
    pub const ALL: [ResultColumn; 10] = [
        ResultColumn::Status,
        ResultColumn::WorkloadName,
        ResultColumn::WorkloadId,
        ResultColumn::WorkloadArn,
        ResultColumn::Attempts,
        ResultColumn::ErrorCode,
        ResultColumn::Message,
        ResultColumn::InputRow,
        ResultColumn::Account,
        ResultColumn::Region,
    ];

    pub const fn header(self) -> &'static str {
        match self {
            ResultColumn::Status => "Status",
            ResultColumn::WorkloadName => "Workload Name",
            ResultColumn::WorkloadId => "Workload Id",
            ResultColumn::WorkloadArn => "Workload ARN",
            ResultColumn::Attempts => "Attempts",
            ResultColumn::ErrorCode => "Error Code",
            ResultColumn::Message => "Message",
            ResultColumn::InputRow => "Input Row",
            ResultColumn::Account => "Account",
            ResultColumn::Region => "Region",
        }
    }

    /// The columns of a workbook, with or without the destination.
    pub fn of(destinations: bool) -> &'static [ResultColumn] {
        if destinations { &ResultColumn::ALL } else { ResultColumn::ALL.split_at(8).0 }
    }
}

/// The headers of every result column, in order.
pub const RESULT_COLUMNS_WITH_DESTINATION: [&str; 10] = {
    let mut headers = [""; 10];
    let mut index = 0;
    while index < headers.len() {
        headers[index] = ResultColumn::ALL[index].header();
        index += 1;
    }
    headers
};

/// The result columns' headers when rows do not name where they go.
pub const RESULT_COLUMNS: &[&str] = RESULT_COLUMNS_WITH_DESTINATION.split_at(8).0;

/// The columns `--failures` adds after the input's own.
pub const FAILURE_COLUMNS: [&str; 3] = ["status", "error_code", "message"];

/// Every block of columns wa-bulk adds: a header row that ends with one of
/// these, exactly, is read without them.
pub const ADDED_BLOCKS: [&[&str]; 3] = [&RESULT_COLUMNS_WITH_DESTINATION, RESULT_COLUMNS, &FAILURE_COLUMNS];

/// The columns `export` adds for people and dashboards (what the service
/// works out, or holds apart from the workload's members): the reader
/// leaves them out wherever they are, without a warning.
pub const READ_ONLY_COLUMNS: [&str; 11] = [
    "High risks",
    "Medium risks",
    "No risks",
    "Unanswered questions",
    "Not applicable questions",
    "Risks by lens",
    "Risks by pillar",
    "Improvement status",
    "Updated at",
    "Latest milestone",
    "Current shares",
];

/// Whether `header` is one of [`READ_ONLY_COLUMNS`] (spaces and case aside).
pub fn is_read_only(header: &str) -> bool {
    let squash = |text: &str| -> String {
        text.chars().filter(|c| !c.is_whitespace()).flat_map(char::to_lowercase).collect()
    };
    let header = squash(header);
    READ_ONLY_COLUMNS.iter().any(|column| squash(column) == header)
}

/// How many of the trailing `headers` are a block wa-bulk added.
pub fn added_block(headers: &[String]) -> usize {
    ADDED_BLOCKS
        .iter()
        .find(|block| {
            headers.len() >= block.len()
                && headers[headers.len() - block.len()..]
                    .iter()
                    .zip(block.iter())
                    .all(|(header, ours)| header.trim().eq_ignore_ascii_case(ours))
        })
        .map_or(0, |block| block.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn read_only_columns_are_known_in_any_case_and_spacing_and_fill_no_member() {
        assert!(is_read_only("high risks") && is_read_only(" Updated  At ") && !is_read_only("Notes"));
        for column in READ_ONLY_COLUMNS {
            assert_eq!(crate::input::columns::target_for(column), None, "{column} would be read as a member");
        }
    }

    #[test]
    fn each_result_column_sits_at_its_own_index_and_the_short_list_leaves_out_the_destination() {
        for (index, column) in ResultColumn::ALL.into_iter().enumerate() {
            assert_eq!(column as usize, index, "{column:?}");
            assert_eq!(RESULT_COLUMNS_WITH_DESTINATION[index], column.header());
        }
        assert_eq!(ResultColumn::of(false).last(), Some(&ResultColumn::InputRow));
        assert_eq!(RESULT_COLUMNS, ResultColumn::of(false).iter().map(|c| c.header()).collect::<Vec<_>>());
    }
}
