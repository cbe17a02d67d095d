"""The peer a user would write instead of wa-bulk: a boto3 thread pool that
creates one workload per CSV row, with botocore's adaptive retry mode (a
client-side rate limiter that learns from throttling).

    python3 benches/peer/boto3_import.py ROWS.csv ENDPOINT_URL [WORKERS]

Prints the seconds the whole import took. `cargo bench --bench import` runs
it beside wa-bulk, against the same emulator settings, when boto3 is there.
"""
import csv
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import boto3
from botocore.config import Config


def main():
    path, endpoint = sys.argv[1], sys.argv[2]
    workers = int(sys.argv[3]) if len(sys.argv) > 3 else 8
    config = Config(retries={"mode": "adaptive", "max_attempts": 10}, max_pool_connections=workers)
    client = boto3.client("wellarchitected", endpoint_url=endpoint, config=config)
    with open(path, newline="", encoding="utf-8") as file:
        rows = list(csv.DictReader(file))

    def create(row):
        client.create_workload(
            WorkloadName=row["WorkloadName"],
            Description=row["Description"],
            Environment=row["Environment"],
            AwsRegions=[row["AwsRegions"]],
            ReviewOwner=row["ReviewOwner"],
            Lenses=[row["Lenses"]],
            ClientRequestToken=str(uuid.uuid5(uuid.NAMESPACE_URL, row["WorkloadName"])),
        )

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        list(pool.map(create, rows))
    print(f"{time.monotonic() - started:.3f}")


if __name__ == "__main__":
    main()
