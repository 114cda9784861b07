"""Where an organisation search spends its time on a built registry (BENCHMARKS.md, "The gaps").

Usage: python bench/search_candidates.py URL [QUERY ...]
For each query: the vocabulary words each query word matched, each word's postings (uncapped),
the candidate names and organisations the index returns, and how long the candidate statement
took (the median of 3, warm). Reads only.
"""

from __future__ import annotations

import statistics
import sys
import time

from sqlalchemy.orm import Session

from app.db import make_engine
from app.domain.names import fold_name
from app.repositories.search_index import posting_counts, public_names_containing
from app.services.verification import search

DEFAULT_QUERIES = ("Green Pharma", "Orion Builders", "Whitfield Hydraulics")


def main() -> None:
    url, queries = sys.argv[1], sys.argv[2:] or list(DEFAULT_QUERIES)
    engine = make_engine(url)
    with Session(engine) as session:
        for query in queries:
            words = sorted(set(fold_name(query).split()))
            matches = [sorted(m) for m in search._word_matches(session, words)]
            postings = posting_counts(session, matches, 10**9)
            seconds = []
            for _ in range(3):
                started = time.perf_counter()
                names = public_names_containing(session, matches, None)
                seconds.append(time.perf_counter() - started)
            organisations = len({name.organization_id for name in names})
            print(
                f"{query!r}: words matched {[len(m) for m in matches]}, postings {postings}, "
                f"{len(names)} candidate names of {organisations} organisations, candidate "
                f"statement {statistics.median(seconds) * 1000:.0f} ms (median of 3)"
            )
    engine.dispose()


if __name__ == "__main__":
    main()
