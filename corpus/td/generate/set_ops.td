# UNION, INTERSECT and EXCEPT over series.
> SELECT x FROM generate_series(1, 4) x INTERSECT SELECT x FROM generate_series(3, 6) x
3
4
> SELECT count(*) FROM (SELECT x FROM generate_series(1, 10) x EXCEPT SELECT x FROM generate_series(1, 10, 2) x) t
5
> SELECT x FROM generate_series(1, 2) x UNION ALL SELECT x FROM generate_series(1, 2) x
1
1
2
2
