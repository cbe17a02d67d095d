//! The memory of `wa-bulk answers export` as the workloads grow: 100, then
//! 1,000 workloads with the Framework lens and notes, from an emulator with
//! no rate limit, the release binary under `/usr/bin/time -v`. Reviews go to
//! the sheet as they are read, so the peak should not grow with the
//! workloads. Run with `cargo bench --bench answers_memory`; the README
//! quotes its output.

use std::time::Instant;

mod support;

#[tokio::main]
async fn main() {
    println!("workloads | rows | wall (s) | peak RSS (MB)");
    for workloads in [100, 1_000] {
        let emulator = support::limited_emulator(0, workloads, support::reviewed_workload).await;
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("answers.csv");
        let binary = env!("CARGO_BIN_EXE_wa-bulk");
        let command = support::wa_bulk(&["answers", "export", out.to_str().unwrap()], &emulator);
        let args: Vec<String> = std::iter::once(binary.to_owned())
            .chain(command.get_args().map(|arg| arg.to_string_lossy().into_owned()))
            .collect();
        let mut timed = std::process::Command::new("/usr/bin/time");
        timed.arg("-v").args(&args).envs(command.get_envs().filter_map(|(key, value)| Some((key, value?))));
        let started = Instant::now();
        let output = timed.output().unwrap();
        let seconds = started.elapsed().as_secs_f64();
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        let stderr = String::from_utf8_lossy(&output.stderr);
        let peak_kb: f64 = stderr
            .lines()
            .find_map(|line| line.trim().strip_prefix("Maximum resident set size (kbytes): "))
            .and_then(|kb| kb.parse().ok())
            .expect("/usr/bin/time -v reports the peak");
        let rows = std::fs::read_to_string(&out).unwrap().lines().count() - 1;
        println!("{workloads} | {rows} | {seconds:.2} | {:.1}", peak_kb / 1024.0);
        emulator.stop().await.unwrap();
    }
}
