# Many rows written in one statement are all read back.
> CREATE TABLE wide AS SELECT x AS id, md5(x::text) AS h FROM generate_series(1, 500) x
> SELECT count(*), count(DISTINCT h) FROM wide
500 500
