// SPDX-License-Identifier: GPL-2.0
/*
 * released.cocci - pinkit audit: is the page reference taken at a call site
 * released on every path that follows the call?
 *
 * pinkit-audit replaces @ANCHORS@ (get_user_pages*() and the functions
 * found to hand such a reference on to their caller) and @RELEASERS@
 * (put_page(), release_pages(), ... and the helpers found to call them on
 * their argument) before running it.  For every anchor call whose
 * reference carrier x is released on every path after the call, one of
 * the rules prints
 *	RELEASED <file> <line> <x>
 * A path that leaves through the test of the anchor's result right after
 * the call (the failure branch) needs no release; every other path, early
 * returns included (when strict), does.  One rule per call form: SmPL
 * disjunctions are ordered, so a single rule would bind x to the first
 * argument that fits.
 */

// x = anchor(...);  the reference is the return value
@ret_assign@
identifier fn =~ "@ANCHORS@";
identifier rel =~ "@RELEASERS@";
identifier x;
expression e;
statement S;
position p;
@@
x = fn@p(...);
(
if (<+... x ...+>) S
|
)
... when strict
(
rel(..., <+... x ...+>, ...);
|
e = rel(..., <+... x ...+>, ...);
|
for (...;...;...) { <+... rel(..., <+... x ...+>, ...); ...+> }
|
while (...) { <+... rel(..., <+... x ...+>, ...); ...+> }
)

@script:python@
p << ret_assign.p;
x << ret_assign.x;
@@
print("RELEASED %s %s %s" % (p[0].file, p[0].line, x))

// T x = anchor(...);
@ret_decl@
identifier fn =~ "@ANCHORS@";
identifier rel =~ "@RELEASERS@";
identifier x;
expression e;
statement S;
type T;
position p;
@@
T x = fn@p(...);
(
if (<+... x ...+>) S
|
)
... when strict
(
rel(..., <+... x ...+>, ...);
|
e = rel(..., <+... x ...+>, ...);
|
for (...;...;...) { <+... rel(..., <+... x ...+>, ...); ...+> }
|
while (...) { <+... rel(..., <+... x ...+>, ...); ...+> }
)

@script:python@
p << ret_decl.p;
x << ret_decl.x;
@@
print("RELEASED %s %s %s" % (p[0].file, p[0].line, x))

// ret = anchor(..., x or &x, ...);  the reference is in an argument
@arg_assign@
identifier fn =~ "@ANCHORS@";
identifier rel =~ "@RELEASERS@";
identifier x, ret;
expression list es;
expression e;
statement S;
position p;
@@
(
ret = fn@p(es, &x, ...);
|
ret = fn@p(es, x, ...);
)
(
if (<+... ret ...+>) S
|
)
... when strict
(
rel(..., <+... x ...+>, ...);
|
e = rel(..., <+... x ...+>, ...);
|
for (...;...;...) { <+... rel(..., <+... x ...+>, ...); ...+> }
|
while (...) { <+... rel(..., <+... x ...+>, ...); ...+> }
)

@script:python@
p << arg_assign.p;
x << arg_assign.x;
@@
print("RELEASED %s %s %s" % (p[0].file, p[0].line, x))

// if (... anchor(..., x or &x, ...) ...) failure;
@arg_cond@
identifier fn =~ "@ANCHORS@";
identifier rel =~ "@RELEASERS@";
identifier x;
expression list es;
expression e;
statement S;
position p;
@@
(
if (<+... fn@p(es, &x, ...) ...+>) S
|
if (<+... fn@p(es, x, ...) ...+>) S
)
... when strict
(
rel(..., <+... x ...+>, ...);
|
e = rel(..., <+... x ...+>, ...);
|
for (...;...;...) { <+... rel(..., <+... x ...+>, ...); ...+> }
|
while (...) { <+... rel(..., <+... x ...+>, ...); ...+> }
)

@script:python@
p << arg_cond.p;
x << arg_cond.x;
@@
print("RELEASED %s %s %s" % (p[0].file, p[0].line, x))

// anchor(..., x or &x, ...);  result not used
@arg_stmt@
identifier fn =~ "@ANCHORS@";
identifier rel =~ "@RELEASERS@";
identifier x;
expression list es;
expression e;
position p;
@@
(
fn@p(es, &x, ...);
|
fn@p(es, x, ...);
)
... when strict
(
rel(..., <+... x ...+>, ...);
|
e = rel(..., <+... x ...+>, ...);
|
for (...;...;...) { <+... rel(..., <+... x ...+>, ...); ...+> }
|
while (...) { <+... rel(..., <+... x ...+>, ...); ...+> }
)

@script:python@
p << arg_stmt.p;
x << arg_stmt.x;
@@
print("RELEASED %s %s %s" % (p[0].file, p[0].line, x))

// x = anchor(...); ...; if (test of x) failure;  (e.g. an unlock in between)
@ret_assign_gap@
identifier fn =~ "@ANCHORS@";
identifier rel =~ "@RELEASERS@";
identifier x;
expression e;
statement S;
position p;
@@
x = fn@p(...);
... when != x
if (<+... x ...+>) S
... when strict
(
rel(..., <+... x ...+>, ...);
|
e = rel(..., <+... x ...+>, ...);
|
for (...;...;...) { <+... rel(..., <+... x ...+>, ...); ...+> }
|
while (...) { <+... rel(..., <+... x ...+>, ...); ...+> }
)

@script:python@
p << ret_assign_gap.p;
x << ret_assign_gap.x;
@@
print("RELEASED %s %s %s" % (p[0].file, p[0].line, x))

// ret = anchor(..., &x, ...); ...; if (test of ret) failure;
@arg_assign_gap@
identifier fn =~ "@ANCHORS@";
identifier rel =~ "@RELEASERS@";
identifier x, ret;
expression list es;
expression e;
statement S;
position p;
@@
(
ret = fn@p(es, &x, ...);
|
ret = fn@p(es, x, ...);
)
... when != ret
    when != x
if (<+... ret ...+>) S
... when strict
(
rel(..., <+... x ...+>, ...);
|
e = rel(..., <+... x ...+>, ...);
|
for (...;...;...) { <+... rel(..., <+... x ...+>, ...); ...+> }
|
while (...) { <+... rel(..., <+... x ...+>, ...); ...+> }
)

@script:python@
p << arg_assign_gap.p;
x << arg_assign_gap.x;
@@
print("RELEASED %s %s %s" % (p[0].file, p[0].line, x))

// T x = anchor(...); ...; if (test of x) failure;
@ret_decl_gap@
identifier fn =~ "@ANCHORS@";
identifier rel =~ "@RELEASERS@";
identifier x;
expression e;
statement S;
type T;
position p;
@@
T x = fn@p(...);
... when != x
if (<+... x ...+>) S
... when strict
(
rel(..., <+... x ...+>, ...);
|
e = rel(..., <+... x ...+>, ...);
|
for (...;...;...) { <+... rel(..., <+... x ...+>, ...); ...+> }
|
while (...) { <+... rel(..., <+... x ...+>, ...); ...+> }
)

@script:python@
p << ret_decl_gap.p;
x << ret_decl_gap.x;
@@
print("RELEASED %s %s %s" % (p[0].file, p[0].line, x))
