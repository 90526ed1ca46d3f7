# jsonb renders compact, in the server's key order.
> CREATE TABLE docs (id int, body jsonb)
> INSERT INTO docs VALUES (1, '{"b": [1, 2], "a": {"c": "x y"}}'), (2, '[]'), (3, 'null')
> SELECT id, body FROM docs
1 "{\"a\":{\"c\":\"x y\"},\"b\":[1,2]}"
2 []
3 null
> SELECT body->'b'->>0 FROM docs WHERE id = 1
1
