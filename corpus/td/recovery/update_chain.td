# A chain of updates ends in one final state.
> CREATE TABLE st (id int, v int)
> INSERT INTO st VALUES (1, 0)
> UPDATE st SET v = v + 1
> UPDATE st SET v = v + 1
> UPDATE st SET v = v * 10
> SELECT v FROM st
20
