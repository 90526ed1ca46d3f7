# INSERT, UPDATE, DELETE, RETURNING and upserts.
> CREATE TABLE kv (k text PRIMARY KEY, v int)
> INSERT INTO kv VALUES ('a', 1), ('b', 2) RETURNING k
a
b
> UPDATE kv SET v = v * 10 WHERE k = 'b' RETURNING v
20
> INSERT INTO kv VALUES ('a', 5) ON CONFLICT (k) DO UPDATE SET v = kv.v + excluded.v
> DELETE FROM kv WHERE v > 10
> SELECT k, v FROM kv
a 6
