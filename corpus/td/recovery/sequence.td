# Sequences only move forward.
> CREATE SEQUENCE s
> SELECT nextval('s') > 0
true
> SELECT nextval('s') >= 2
true
