#!/usr/bin/python3
"""Compares the content of two liqsim run files: every group, dataset and attribute.

Usage: /usr/bin/python3 analysis/compare_run_files.py A.h5 B.h5 [--ignore-attr PATH@NAME ...] [--storage]

Compared: the set of object paths; for each dataset its dtype, shape and every stored value (bit for bit:
floats are compared as their bytes, so NaNs and signed zeros count); for each object (the root, groups,
datasets) the set of attribute names, each attribute's type and value. With --storage the chunk shape
and the filter pipeline of each dataset are compared too (storage, not content: reported separately).
--ignore-attr PATH@NAME leaves one attribute out (an attribute added on purpose), e.g. /@new_attr.
Exit status: 0 equal, 1 different (each difference is printed), 2 usage or unreadable file.
"""
import argparse
import sys

try:
    import h5py
    import numpy as np
except ImportError as e:  # pragma: no cover
    print(f"compare_run_files: {e}; use Debian's /usr/bin/python3 with python3-h5py", file=sys.stderr)
    sys.exit(2)


def objects(f):
    out = {"/": f}
    f.visititems(lambda name, obj: out.__setitem__("/" + name, obj))
    return out


def same_values(a, b):
    if a.dtype != b.dtype or a.shape != b.shape:
        return False
    return np.ascontiguousarray(a).tobytes() == np.ascontiguousarray(b).tobytes()


def attribute_value(obj, name):
    value = obj.attrs[name]
    return value.decode() if isinstance(value, bytes) else value


def compare(path_a, path_b, ignored, storage):
    differences = []
    with h5py.File(path_a, "r") as fa, h5py.File(path_b, "r") as fb:
        oa, ob = objects(fa), objects(fb)
        for p in sorted(set(oa) ^ set(ob)):
            differences.append(f"{p}: only in {path_a if p in oa else path_b}")
        for p in sorted(set(oa) & set(ob)):
            a, b = oa[p], ob[p]
            if isinstance(a, h5py.Dataset) != isinstance(b, h5py.Dataset):
                differences.append(f"{p}: a dataset in one file, a group in the other")
                continue
            if isinstance(a, h5py.Dataset):
                if a.dtype != b.dtype:
                    differences.append(f"{p}: dtype {a.dtype} vs {b.dtype}")
                elif a.shape != b.shape:
                    differences.append(f"{p}: shape {a.shape} vs {b.shape}")
                elif not same_values(a[()], b[()]):
                    differences.append(f"{p}: values differ")
                if storage:
                    if a.chunks != b.chunks:
                        differences.append(f"{p}: chunks {a.chunks} vs {b.chunks} (storage)")
                    fa_, fb_ = a.id.get_create_plist(), b.id.get_create_plist()
                    filters_a = [fa_.get_filter(i)[0] for i in range(fa_.get_nfilters())]
                    filters_b = [fb_.get_filter(i)[0] for i in range(fb_.get_nfilters())]
                    if filters_a != filters_b:
                        differences.append(f"{p}: filters {filters_a} vs {filters_b} (storage)")
            names_a = {n for n in a.attrs if f"{p}@{n}" not in ignored}
            names_b = {n for n in b.attrs if f"{p}@{n}" not in ignored}
            for n in sorted(names_a ^ names_b):
                differences.append(f"{p}@{n}: attribute only in {path_a if n in names_a else path_b}")
            for n in sorted(names_a & names_b):
                ta, tb = a.attrs.get_id(n).dtype, b.attrs.get_id(n).dtype
                va, vb = attribute_value(a, n), attribute_value(b, n)
                if ta != tb:
                    differences.append(f"{p}@{n}: type {ta} vs {tb}")
                elif isinstance(va, np.ndarray) or isinstance(vb, np.ndarray) or isinstance(va, np.generic):
                    if not same_values(np.asarray(va), np.asarray(vb)):
                        differences.append(f"{p}@{n}: {va!r} vs {vb!r}")
                elif va != vb:
                    differences.append(f"{p}@{n}: {va!r} vs {vb!r}")
        counted = len(oa)
    return differences, counted


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("a")
    parser.add_argument("b")
    parser.add_argument("--ignore-attr", action="append", default=[], metavar="PATH@NAME")
    parser.add_argument("--storage", action="store_true", help="also compare chunk shapes and filters")
    args = parser.parse_args()
    try:
        differences, counted = compare(args.a, args.b, set(args.ignore_attr), args.storage)
    except OSError as e:
        print(f"compare_run_files: {e}", file=sys.stderr)
        return 2
    for d in differences:
        print(d)
    if differences:
        print(f"{len(differences)} difference(s)")
        return 1
    print(f"equal: {counted} objects, every dataset and attribute")
    return 0


if __name__ == "__main__":
    sys.exit(main())
