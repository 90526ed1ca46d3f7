# A lone skip-end is valid: testdrive pairs skip-if and skip-end at run time, where a
# skip-end that closes nothing does nothing.
$ skip-end
