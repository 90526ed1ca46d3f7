# expect: 2:15: never closed
$ set a={"x": [1
