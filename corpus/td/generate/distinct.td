# DISTINCT and count(DISTINCT).
> SELECT count(DISTINCT x % 7), count(*) FROM generate_series(1, 100) AS x
7 100
> SELECT DISTINCT x % 2 FROM generate_series(1, 10) AS x
0
1
