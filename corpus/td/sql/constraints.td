# CHECK, NOT NULL and foreign keys fail with the server's message.
> CREATE TABLE parent (id int PRIMARY KEY)
> CREATE TABLE child (id int REFERENCES parent (id), qty int CHECK (qty > 0) NOT NULL)
> INSERT INTO parent VALUES (1)
! INSERT INTO child VALUES (2, 1)
contains:violates foreign key constraint
! INSERT INTO child VALUES (1, 0)
contains:violates check constraint
! INSERT INTO child VALUES (1, NULL)
regex:null value in column "qty" .*violates not-null constraint
> INSERT INTO child VALUES (1, 5)
> SELECT id, qty FROM child
1 5
