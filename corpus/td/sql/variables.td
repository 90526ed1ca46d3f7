# $ set, set-from-sql and the testdrive namespace.
$ set table=vars_t
$ set greeting="hello there"
> CREATE TABLE ${table} (s text)
> INSERT INTO ${table} VALUES ('${greeting}')
> SELECT s FROM ${table}
"${greeting}"
$ set-from-sql var=answer
SELECT (6 * 7)::text
> SELECT ${answer} + 0
42
> SELECT '${testdrive.seed}' ~ '^[0-9]+$'
true
