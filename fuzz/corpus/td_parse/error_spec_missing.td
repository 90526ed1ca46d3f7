# expect: 2:1: expected 'contains:'
! SELECT 1
