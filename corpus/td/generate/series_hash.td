# A hash line stands for many rows.
> SELECT x FROM generate_series(1, 3) AS x
3 values hashing to 202cb962ac59075b964b07152d234b70
