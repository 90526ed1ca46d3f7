# Two skip-ifs in a row parse: only a skip-if met while skipping fails, at run time.
$ skip-if
SELECT true
$ skip-if
SELECT false
$ skip-end
