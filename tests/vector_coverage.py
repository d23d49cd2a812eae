#!/usr/bin/python3
"""Every worked vector of the shared reference (protocol_vectors.json, ids 1-82) is asserted by a test
that names it ("vector #N", "vectors #N-#M" or "protocol_vectors.json #N"). The reference file lives
outside the repository, so its id range is stated here; a vector added there is added here.

    /usr/bin/python3 tests/vector_coverage.py [TESTS_DIR]
"""
import glob
import os
import re
import sys

FIRST, LAST = 1, 82


def covered(root: str) -> set:
    found = set()
    files = glob.glob(os.path.join(root, "**", "*.cpp"), recursive=True)
    files += glob.glob(os.path.join(root, "**", "*.h"), recursive=True)
    for path in files:
        with open(path, encoding="utf-8") as f:
            text = f.read()
        for m in re.finditer(r"(?:[Vv]ectors?|protocol_vectors\.json) #(\d+)(?:\s*[-–]\s*#?(\d+))?", text):
            first = int(m.group(1))
            last = int(m.group(2)) if m.group(2) else first
            found.update(range(first, last + 1))
        for m in re.finditer(r"protocol_vectors\.json[^\n]*?((?:#\d+[, ]*)+)", text):
            found.update(int(n) for n in re.findall(r"#(\d+)", m.group(1)))
        for m in re.finditer(r"#(\d+) \(protocol_vectors", text):
            found.add(int(m.group(1)))
    return found


def main() -> int:
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
    found = covered(root)
    missing = [i for i in range(FIRST, LAST + 1) if i not in found]
    if missing:
        print(f"FAIL: vectors not named by any test: {missing}")
        return 1
    print(f"ok: all {LAST - FIRST + 1} reference vectors are named by tests")
    return 0


if __name__ == "__main__":
    sys.exit(main())
