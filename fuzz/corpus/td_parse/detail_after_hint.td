# expect: 5:1: unexpected line after the expected error
! SELECT 1
contains:x
hint:h
detail:d
