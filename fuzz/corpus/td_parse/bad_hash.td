# expect: 3:1: malformed hash line
> SELECT 1
3 values hashing to nothex
