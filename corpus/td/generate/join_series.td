# Joining two series.
> SELECT count(*) FROM generate_series(1, 50) a JOIN generate_series(25, 75) b ON a = b
26
