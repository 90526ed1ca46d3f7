# ? compares EXPLAIN output verbatim.
> CREATE TABLE ex (a int)
? EXPLAIN (COSTS OFF) SELECT a FROM ex WHERE a > 1
Seq Scan on ex
  Filter: (a > 1)
