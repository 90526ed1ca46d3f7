# A unique index still rejects duplicates after recovery.
> CREATE TABLE u (k int UNIQUE)
> INSERT INTO u VALUES (1), (2)
! INSERT INTO u VALUES (2)
contains:duplicate key
> SELECT count(*) FROM u
2
