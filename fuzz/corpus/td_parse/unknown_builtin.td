# expect: 2:3: unknown builtin
$ kafak-ingest topic=x
