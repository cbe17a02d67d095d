//! CreateWorkload throughput of the emulator, driven by the real SDK client
//! on loopback (SigV4 signing, rest-json, one shared connection pool), with
//! rate limiting, faults and latency off: the emulator must never be what
//! limits an import.
//!
//! Run with `cargo bench --bench emulator`; the README quotes the median.

use std::hint::black_box;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use aws_sdk_wellarchitected::Client;
use aws_sdk_wellarchitected::types::WorkloadEnvironment;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use wa_bulk::emulator::{Emulator, EmulatorConfig};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Requests per measured batch, and how many are in flight at once.
const BATCH: u64 = 1_000;
const IN_FLIGHT: u64 = 32;

/// Creates `BATCH` workloads with unique names, `IN_FLIGHT` at a time.
async fn create_batch(client: &Client, next: &Arc<AtomicU64>) -> u64 {
    let mut workers = tokio::task::JoinSet::new();
    for _ in 0..IN_FLIGHT {
        let (client, next) = (client.clone(), next.clone());
        workers.spawn(async move {
            for _ in 0..BATCH / IN_FLIGHT {
                let index = next.fetch_add(1, Ordering::Relaxed);
                client
                    .create_workload()
                    .workload_name(format!("workload-{index}"))
                    .description("Benchmark workload")
                    .environment(WorkloadEnvironment::Production)
                    .review_owner("bench@example.com")
                    .lenses("wellarchitected")
                    .aws_regions("us-east-1")
                    .client_request_token(format!("token-{index}"))
                    .send()
                    .await
                    .expect("the emulator creates every workload");
            }
        });
    }
    workers.join_all().await;
    BATCH / IN_FLIGHT * IN_FLIGHT
}

fn benches(c: &mut Criterion) {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let config = EmulatorConfig { quota: usize::MAX, ..EmulatorConfig::default() };
    let emulator = runtime.block_on(Emulator::start(config)).unwrap();
    let client = emulator.client();
    let next = Arc::new(AtomicU64::new(0));

    let mut group = c.benchmark_group("emulator");
    group.sample_size(20).throughput(Throughput::Elements(BATCH / IN_FLIGHT * IN_FLIGHT));
    group.bench_function("create_workload_sdk_32_in_flight", |b| {
        b.iter(|| black_box(runtime.block_on(create_batch(&client, &next))))
    });
    group.finish();
    runtime.block_on(emulator.stop()).unwrap();
}

criterion_group!(emulator_benches, benches);
criterion_main!(emulator_benches);
