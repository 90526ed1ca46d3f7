# expect: 2:1: expected a command
SELECT 1
