# string_agg and array_agg with ORDER BY.
> SELECT string_agg(x::text, ',' ORDER BY x) FROM generate_series(1, 5) AS x
1,2,3,4,5
> SELECT array_agg(x ORDER BY x DESC) FROM generate_series(1, 3) AS x
{3,2,1}
