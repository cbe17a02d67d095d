"""The peer a user would write instead of `wa-bulk validate` on a workbook:
openpyxl in read-only mode, each row mapped to a CreateWorkload request and
checked with botocore's own parameter validation (what boto3 runs before it
sends anything). With --read-only, the rows are only read (openpyxl's
fastest path, values only), which is the floor of any openpyxl script.

    python3 benches/peer/openpyxl_validate.py ROWS.xlsx [--read-only]

Prints the rows read, the rows botocore found valid and the seconds taken.
The README's benchmark section runs it beside `wa-bulk validate` on the
workbook `cargo bench --bench xlsx` leaves in target/bench-data.
"""
import sys
import time

import openpyxl

LISTS = {"AccountIds", "AwsRegions", "NonAwsRegions", "PillarPriorities", "Lenses", "Applications",
         "ProfileArns", "ReviewTemplateArns"}


def request(headers, values):
    """A CreateWorkload request from one row, as a script would build it."""
    params = {"ClientRequestToken": "token"}
    for header, value in zip(headers, values):
        if value is None or value == "":
            continue
        text = str(value)
        if header in LISTS:
            params[header] = [item.strip() for item in text.split(";") if item.strip()]
        elif header == "Tags":
            pairs = (item.split("=", 1) for item in text.split(";") if "=" in item)
            params["Tags"] = {key.strip(): val.strip() for key, val in pairs}
        else:
            params[header] = text
    return params


def main():
    path = sys.argv[1]
    read_only = "--read-only" in sys.argv[2:]
    started = time.monotonic()
    workbook = openpyxl.load_workbook(path, read_only=True)
    rows = workbook.worksheets[0].iter_rows(values_only=True)
    headers = [str(header) for header in next(rows)]
    count = valid = 0
    if read_only:
        for _ in rows:
            count += 1
    else:
        import botocore.session
        from botocore.validate import ParamValidator

        model = botocore.session.get_session().get_service_model("wellarchitected")
        shape = model.operation_model("CreateWorkload").input_shape
        validator = ParamValidator()
        for values in rows:
            count += 1
            report = validator.validate(request(headers, values), shape)
            valid += not report.has_errors()
    print(f"{count} rows, {valid} valid, {time.monotonic() - started:.2f} s")


if __name__ == "__main__":
    main()
