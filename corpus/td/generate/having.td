# HAVING filters groups.
> SELECT x % 5 AS r, count(*) FROM generate_series(1, 23) AS x GROUP BY r HAVING count(*) > 4
1 5
2 5
3 5
