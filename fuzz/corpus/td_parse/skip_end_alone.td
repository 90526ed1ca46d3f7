# expect: 2:1: without a 'skip-if'
$ skip-end
