#!/usr/bin/env python3
"""Sums up PIT's mutations.xml reports, one row per report directory.

Usage: python3 src/test/mutation/summary.py [target/pit-reports]

Killed counts what PIT counts as detected (KILLED, TIMED_OUT, MEMORY_ERROR, RUN_ERROR); timeouts are
also shown on their own, because on a loaded machine a test can time out without looping. Listed counts
the survivors whose class and line appear in src/test/pitest-equivalent.md (a table row "| Class:line |");
a line with two survivors and one entry counts both, so read that column as an upper bound.
"""
import pathlib
import re
import sys
import xml.etree.ElementTree as ET

DETECTED = {"KILLED", "TIMED_OUT", "MEMORY_ERROR", "RUN_ERROR"}


def listed_lines(path):
    if not path.exists():
        return set()
    return set(re.findall(r"^\|\s*([A-Za-z0-9_$]+):(\d+)\s*\|", path.read_text(), re.M))


def main():
    root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "target/pit-reports")
    listed = listed_lines(pathlib.Path("src/test/pitest-equivalent.md"))
    print("| report | mutants | killed | % | timed out | survived | no coverage | survivors on listed lines |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for xml in sorted(root.glob("*/mutations.xml")):
        counts = {}
        on_listed = 0
        try:
            mutations = list(ET.parse(xml).getroot().iter("mutation"))
        except ET.ParseError:
            print(f"| {xml.parent.name} | (report incomplete: PIT still writing it, or it stopped) |")
            continue
        for m in mutations:
            status = m.get("status")
            counts[status] = counts.get(status, 0) + 1
            if status in ("SURVIVED", "NO_COVERAGE"):
                cls = m.findtext("sourceFile", "").removesuffix(".java")
                if (cls, m.findtext("lineNumber")) in listed:
                    on_listed += 1
        total = sum(counts.values())
        killed = sum(counts.get(s, 0) for s in DETECTED)
        pct = 100.0 * killed / total if total else 0.0
        print(f"| {xml.parent.name} | {total} | {killed} | {pct:.1f}% | {counts.get('TIMED_OUT', 0)} | "
              f"{counts.get('SURVIVED', 0)} | {counts.get('NO_COVERAGE', 0)} | {on_listed} |")


if __name__ == "__main__":
    main()
