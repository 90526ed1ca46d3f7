# Views and materialized views.
> CREATE TABLE base (x int)
> INSERT INTO base SELECT generate_series(1, 5)
> CREATE VIEW evens AS SELECT x FROM base WHERE x % 2 = 0
> CREATE MATERIALIZED VIEW total AS SELECT sum(x) AS s FROM base
> SELECT x FROM evens
2
4
> SELECT s FROM total
15
> INSERT INTO base VALUES (6)
> REFRESH MATERIALIZED VIEW total
> SELECT s FROM total
21
