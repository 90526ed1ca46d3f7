# Large values (TOAST) come back whole.
> CREATE TABLE big (id int, payload text)
> INSERT INTO big VALUES (1, repeat('x', 100000))
> SELECT length(payload), md5(payload) = md5(repeat('x', 100000)) FROM big
100000 true
