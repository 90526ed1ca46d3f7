# Common table expressions and window functions.
> WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 4) SELECT sum(i) FROM n
10
> CREATE TABLE scores (who text, pts int)
> INSERT INTO scores VALUES ('a', 3), ('b', 5), ('c', 5)
> SELECT who, rank() OVER (ORDER BY pts DESC) FROM scores
b 1
c 1
a 3
