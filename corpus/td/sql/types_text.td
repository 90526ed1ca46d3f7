# Text values: quoting, empty strings, NULLs and escapes inside quotes.
> CREATE TABLE words (w text, c char(3), v varchar(10))
> INSERT INTO words VALUES ('hello world', 'ab', ''), (NULL, 'x', 'tab')
> SELECT w, c, v FROM words
"hello world" "ab " ""
<null> "x  " tab
> SELECT E'a\tb', E'line\nbreak', 'say "hi"'
"a\tb" "line\nbreak" "say \"hi\""
> SELECT upper('abc'), length('héllo'), 'x' || 'y'
ABC 5 xy
