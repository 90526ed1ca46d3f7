# expect: 3:1: takes no body
$ nop
body line
