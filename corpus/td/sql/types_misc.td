# uuid, bytea and arrays.
> SELECT 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid
a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11
> SELECT 'abc'::bytea, '\x00ff'::bytea
abc "\\x00\\xff"
> SELECT ARRAY[1, 2, 3], ARRAY['a', NULL]
{1,2,3} {a,NULL}
