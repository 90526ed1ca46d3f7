# expect: 3:8: unexpected text after
! SELECT pg_sleep(1)
timeout now
