# Aggregates over generate_series.
> SELECT count(*), sum(x), min(x), max(x) FROM generate_series(1, 1000) AS x
1000 500500 1 1000
