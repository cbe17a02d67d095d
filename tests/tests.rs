//! Integration tests: the real `wa-bulk` binary and the library's entry
//! points, on fixture files the tests write (CSV and Excel) and on the samples,
//! and the emulator driven by the real AWS SDK on 127.0.0.1.

mod cases {
    pub mod answers;
    pub mod bad_input;
    pub mod csv_input;
    pub mod destinations;
    pub mod emulator;
    pub mod encodings;
    pub mod excel_input;
    pub mod export;
    pub mod failures;
    pub mod hostile;
    pub mod import;
    pub mod inventory;
    pub mod jsonl;
    pub mod messages;
    pub mod nightly;
    pub mod organisation;
    pub mod output;
    pub mod plan;
    pub mod properties;
    pub mod references;
    pub mod reports;
    pub mod results;
    pub mod reviews_emulator;
    pub mod safety;
    pub mod samples;
    pub mod support;
    pub mod template;
    pub mod tls;
    pub mod update;
    pub mod workbooks;
}
