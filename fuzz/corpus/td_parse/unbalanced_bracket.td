# expect: 2:9: unbalanced
$ set a=]
