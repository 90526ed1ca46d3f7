# expect: 2:19: unknown argument
$ set-sql-timeout duraton=5s
