# Scalar, IN, EXISTS and lateral subqueries.
> CREATE TABLE orders (id int, customer text, total int)
> INSERT INTO orders VALUES (1, 'ann', 10), (2, 'bob', 20), (3, 'ann', 30)
> SELECT customer FROM orders WHERE total = (SELECT max(total) FROM orders)
ann
> SELECT DISTINCT customer FROM orders o WHERE EXISTS (SELECT 1 FROM orders p WHERE p.customer = o.customer AND p.id <> o.id)
ann
> SELECT id FROM orders WHERE customer IN (SELECT 'bob')
2
> SELECT o.id, t.doubled FROM orders o, LATERAL (SELECT o.total * 2 AS doubled) t
1 20
2 40
3 60
