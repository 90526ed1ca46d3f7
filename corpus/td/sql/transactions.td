# Transactions: rollback discards, commit keeps.
> CREATE TABLE acct (id int, balance int)
> BEGIN
> INSERT INTO acct VALUES (1, 100)
> ROLLBACK
> SELECT count(*) FROM acct
0
> BEGIN
> INSERT INTO acct VALUES (2, 50)
> COMMIT
> SELECT id, balance FROM acct
2 50
