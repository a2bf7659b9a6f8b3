"""Baseline for the themes speed benchmark: plain TF-IDF + MiniBatchKMeans(30) over a CSV column.

Usage: python benchmarks/tfidf_minibatch_baseline.py INPUT.csv TEXT_COLUMN OUT.csv
"""

import csv
import sys

from sklearn.cluster import MiniBatchKMeans
from sklearn.feature_extraction.text import TfidfVectorizer


def main(input_csv: str, text_column: str, out_csv: str) -> None:
    """Cluster the texts into 30 groups and write one label per row."""
    with open(input_csv, newline="", encoding="utf-8") as fh:
        texts = [row[text_column] for row in csv.DictReader(fh)]
    X = TfidfVectorizer(stop_words="english").fit_transform(texts)
    labels = MiniBatchKMeans(30, random_state=0, n_init=3).fit_predict(X)
    with open(out_csv, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["row", "cluster"])
        writer.writerows(enumerate(labels.tolist(), start=1))


if __name__ == "__main__":
    main(*sys.argv[1:4])
