# Deleted rows stay deleted.
> CREATE TABLE d AS SELECT generate_series(1, 50) AS x
> DELETE FROM d WHERE x > 10
> SELECT count(*), max(x) FROM d
10 10
