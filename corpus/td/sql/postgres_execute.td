# postgres-connect and postgres-execute against the same server.
$ postgres-connect name=side url=postgres://${testdrive.materialize-user}@${testdrive.materialize-sql-addr}/${testdrive.database}
$ postgres-execute connection=side
CREATE TABLE side_t (x int)
INSERT INTO side_t VALUES (1), (2)
> SELECT sum(x) FROM side_t
3
