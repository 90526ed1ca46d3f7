# expect: 3:7: repetition count above 9999
! SELECT 1
regex:a{8888888888888888888}
