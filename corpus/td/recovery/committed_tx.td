# A committed transaction stays committed.
> CREATE TABLE ledger (id int PRIMARY KEY, amount int)
> BEGIN
> INSERT INTO ledger SELECT x, x * 10 FROM generate_series(1, 20) x
> COMMIT
> SELECT count(*), sum(amount) FROM ledger
20 2100
