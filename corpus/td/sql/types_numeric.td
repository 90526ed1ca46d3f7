# Integer, numeric and float types render as testdrive renders them.
> CREATE TABLE nums (i2 smallint, i4 int, i8 bigint, n numeric(10,2), f4 real, f8 double precision)
> INSERT INTO nums VALUES (1, 2, 3, 4.50, 1.5, 2.25), (-1, -2, -3, -4.5, -0.5, 1e20)
> SELECT i2, i4, i8, n, f4, f8 FROM nums
i2 i4 i8 n f4 f8
----------------
1 2 3 4.50 1.5 2.25
-1 -2 -3 -4.50 -0.5 100000000000000000000
> SELECT 'NaN'::float8, 'Infinity'::float8, '-Infinity'::float4
NaN inf -inf
> SELECT 9223372036854775807::bigint, (-32768)::smallint
9223372036854775807 -32768
