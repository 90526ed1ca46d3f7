# Dates, times and timestamps; timestamptz is shown in UTC.
> SET TIME ZONE 'UTC'
> SELECT '2024-02-29'::date, '13:45:00'::time, '2024-02-29 13:45:00.25'::timestamp
2024-02-29 13:45:00 "2024-02-29 13:45:00.250"
> SELECT '2024-01-01 00:30:00+02'::timestamptz
"2023-12-31 22:30:00 UTC"
> SET TIME ZONE 'America/New_York'
> SELECT '2024-06-01 12:00:00+00'::timestamptz
"2024-06-01 12:00:00 UTC"
> SELECT '1 day 2 hours'::interval
"1 day 02:00:00"
