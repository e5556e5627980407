#!/usr/bin/env python3
"""Counts a CSV file's records with Python's csv module, independently of
Amends' reader, and how many of them `amends run` should report as errors.

Usage: count-csv.py FILE [--required KEY,KEY,...] [--missing TEXT]... [--bad FILE]

Prints one line: `RECORDS BAD`; with --bad, writes `RECORD LINE` for each
bad record to FILE (its number from 1 and the line it starts on), to
compare with the error lines' `record` and `line`.

A record is every row after the header except blank lines (Grammar.md §10:
a blank line is not a record). A record is bad when it has more cells than
the header, or when a required field's cell is absent (a short row: the
missing cells are missing), empty, or one of the --missing texts. A
required key that no heading matches (exactly, or else with spaces trimmed
and letter case ignored, as Grammar.md §10 says) makes every record bad.
Keys hold no commas; a key with one is not supported here.
"""
import argparse
import csv
import sys


def column(header, key):
    if key in header:
        return header.index(key)
    loose = [h.strip(" \t").lower() for h in header]
    k = key.strip(" \t").lower()
    return loose.index(k) if k in loose else None


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("file")
    parser.add_argument("--required", default="")
    parser.add_argument("--missing", action="append", default=[])
    parser.add_argument("--bad")
    args = parser.parse_args()
    required = [k for k in args.required.split(",") if k]
    missing = set(args.missing) | {""}

    csv.field_size_limit(1 << 30)
    records = bad = 0
    # newline="" leaves line ends inside quoted fields to the csv module, and
    # splits only at CR and LF (never at U+0085 or U+2028).
    with open(args.file, newline="", encoding="utf-8-sig") as f:
        rows = csv.reader(f)
        header = next(rows, None)
        if header is None:
            print("0 0")
            return
        columns = [column(header, k) for k in required]
        positions = []
        while True:
            start = rows.line_num + 1      # the line after the last one read
            row = next(rows, None)
            if row is None:
                break
            if not row:
                continue
            records += 1
            if len(row) > len(header) or any(
                    c is None or c >= len(row) or row[c] in missing for c in columns):
                bad += 1
                positions.append(f"{records} {start}\n")
    if args.bad:
        with open(args.bad, "w") as out:
            out.writelines(positions)
    print(records, bad)


if __name__ == "__main__":
    sys.exit(main())
