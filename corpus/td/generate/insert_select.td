# INSERT ... SELECT from a series, then aggregates.
> CREATE TABLE facts (id int, val int)
> INSERT INTO facts SELECT x, x * x FROM generate_series(1, 100) AS x
> SELECT count(*), sum(val) FROM facts
100 338350
> SELECT avg(val)::numeric(10,1) FROM facts WHERE id <= 3
4.7
