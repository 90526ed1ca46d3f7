# expect: 3:1: unterminated quoted field
> SELECT 1
"open
