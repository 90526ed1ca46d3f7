# generate_series over dates.
> SELECT d::date FROM generate_series('2024-01-01'::date, '2024-01-03'::date, '1 day') AS d
2024-01-01
2024-01-02
2024-01-03
> SELECT count(*) FROM generate_series('2024-01-01'::timestamp, '2024-12-31'::timestamp, '1 day')
366
