# skip-if skips up to skip-end when its query says true.
$ skip-if
SELECT current_setting('server_version_num')::int >= 150000
> SELECT 'this would fail'
wrong
$ skip-end
$ skip-if
SELECT false
> SELECT 'ran'
ran
$ skip-end
