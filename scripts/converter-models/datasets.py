"""The small data slices the converter-shaped models are trained and checked on.

`slice_datasets` cuts them once from the full public datasets (fixed seeds) into the fixture
directory; training then reads only the committed slices, so regenerating the models needs no
other file.
"""

import csv
import os

import numpy as np

SLICES = {
    # file in the source directory: (slice name, rows to drop when they hold NA, train, holdout)
    "german_credit.csv": ("credit", False, 400, 200),
    "penguins.csv": ("penguins", True, 200, 133),
    "seattle-weather.csv": ("weather", False, 400, 200),
}
SEED = 14


def read_csv(path):
    with open(path, newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    return rows[0], rows[1:]


def write_csv(path, header, rows):
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def slice_datasets(source_dir, data_dir):
    """Shuffles each dataset with a fixed seed and writes <name>_train.csv and _holdout.csv.
    Penguins rows with a missing value (an empty field) are dropped: each of the two rows
    missing its measurements misses `sex` too, and 9 more miss only `sex`."""
    os.makedirs(data_dir, exist_ok=True)
    for file, (name, drop_na, n_train, n_holdout) in SLICES.items():
        header, rows = read_csv(os.path.join(source_dir, file))
        if drop_na:
            rows = [row for row in rows if all(value not in ("", "NA") for value in row)]
        order = np.random.default_rng(SEED).permutation(len(rows))
        rows = [rows[i] for i in order]
        write_csv(os.path.join(data_dir, f"{name}_train.csv"), header, rows[:n_train])
        write_csv(
            os.path.join(data_dir, f"{name}_holdout.csv"),
            header,
            rows[n_train : n_train + n_holdout],
        )


class Table:
    """A CSV slice as columns of text, with typed views."""

    def __init__(self, path):
        self.header, self.rows = read_csv(path)

    def __len__(self):
        return len(self.rows)

    def text(self, column):
        index = self.header.index(column)
        return [row[index] for row in self.rows]

    def numbers(self, columns, dtype=np.float64):
        return np.array(
            [[float(row[self.header.index(c)]) for c in columns] for row in self.rows], dtype=dtype
        )

    def objects(self, columns, numeric):
        """An object array (what a ColumnTransformer gets from a DataFrame): numbers as float,
        the rest as text."""
        out = np.empty((len(self.rows), len(columns)), dtype=object)
        for j, column in enumerate(columns):
            values = self.text(column)
            out[:, j] = [float(v) for v in values] if column in numeric else values
        return out
