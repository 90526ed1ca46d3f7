# Written, then read back with retries: survives a restart in between.
> CREATE TABLE counter (n int)
> INSERT INTO counter SELECT generate_series(1, 100)
> SELECT count(*), sum(n) FROM counter
100 5050
