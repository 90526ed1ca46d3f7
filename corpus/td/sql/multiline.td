# SQL over several lines, and a header line.
> CREATE TABLE items (
    id int,
    name text
  )
> INSERT INTO items
  VALUES (1, 'one'),
         (2, 'two')
> SELECT id AS item_id,
         name
  FROM items
  WHERE id > 0
item_id name
------------
1 one
2 two
