# setseed makes random() repeatable within a statement batch.
> SELECT count(*) FROM (SELECT setseed(0.5)) s, generate_series(1, 10) x WHERE random() >= 0
10
> SELECT bool_and(r >= 0 AND r < 1) FROM (SELECT random() AS r FROM generate_series(1, 100)) t
true
