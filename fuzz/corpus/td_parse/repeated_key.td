# expect: 2:21: given twice
$ set-regex match=a match=b
