# GROUP BY over generated data.
> CREATE TABLE g AS SELECT x, x % 3 AS bucket FROM generate_series(1, 30) AS x
> SELECT bucket, count(*), sum(x) FROM g GROUP BY bucket
0 10 165
1 10 145
2 10 155
