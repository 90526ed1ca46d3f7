# Booleans render as true/false; NULL as <null>.
> SELECT true, false, NULL::boolean, 1 = 1
true false <null> true
> CREATE TABLE flags (id int, on_off bool)
> INSERT INTO flags VALUES (1, true), (2, false), (3, NULL)
> SELECT id, on_off IS NULL FROM flags
1 false
2 false
3 true
> SELECT count(*) FILTER (WHERE on_off) FROM flags
1
