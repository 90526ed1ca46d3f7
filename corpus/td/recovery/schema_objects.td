# Schemas, tables and comments survive.
> CREATE SCHEMA app
> CREATE TABLE app.users (id int, name text)
> COMMENT ON TABLE app.users IS 'people'
> INSERT INTO app.users VALUES (1, 'ann')
> SELECT obj_description('app.users'::regclass)
people
> SELECT name FROM app.users
ann
