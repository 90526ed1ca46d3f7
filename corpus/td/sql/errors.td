# Every way of matching an expected error.
> CREATE TABLE e (id int PRIMARY KEY)
> INSERT INTO e VALUES (1)
! INSERT INTO e VALUES (1)
contains:duplicate key value violates unique constraint
detail:Key (id)=(1) already exists.
! SELECT * FROM missing_table
exact:relation "missing_table" does not exist
! SELECT 1/0
regex:division by (zero|nothing)
! SELECT nosuchfunction(1)
contains:does not exist
hint:No function matches the given name
