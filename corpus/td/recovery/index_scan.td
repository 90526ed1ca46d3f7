# An index stays consistent with its table.
> CREATE TABLE ix (id int, tag text)
> CREATE INDEX ix_tag ON ix (tag)
> INSERT INTO ix SELECT x, 't' || (x % 10) FROM generate_series(1, 200) x
> SET enable_seqscan = off
> SELECT count(*) FROM ix WHERE tag = 't3'
20
