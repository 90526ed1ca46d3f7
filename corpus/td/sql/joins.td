# Inner, left and full joins.
> CREATE TABLE l (k int, v text)
> CREATE TABLE r (k int, w text)
> INSERT INTO l VALUES (1, 'a'), (2, 'b'), (3, 'c')
> INSERT INTO r VALUES (2, 'x'), (3, 'y'), (4, 'z')
> SELECT l.k, v, w FROM l JOIN r ON l.k = r.k
2 b x
3 c y
> SELECT l.k, v, w FROM l LEFT JOIN r ON l.k = r.k
1 a <null>
2 b x
3 c y
> SELECT l.k, r.k FROM l FULL OUTER JOIN r ON l.k = r.k
1 <null>
2 2
3 3
<null> 4
