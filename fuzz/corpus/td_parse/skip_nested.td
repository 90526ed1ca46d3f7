# expect: 4:1: does not nest
$ skip-if
SELECT true
$ skip-if
SELECT false
$ skip-end
