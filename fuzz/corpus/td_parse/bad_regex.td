# expect: 3:7: invalid regex
! SELECT 1
regex:([a-
