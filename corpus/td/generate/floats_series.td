# Float aggregates render without exponents.
> SELECT sum(x::float8 / 4) FROM generate_series(1, 4) AS x
2.5
> SELECT (10::float8) ^ 21
1000000000000000000000
