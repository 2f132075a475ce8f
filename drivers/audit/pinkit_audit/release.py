# SPDX-License-Identifier: GPL-2.0
"""Release analysis on the text of a function: is a reference released on
every path through a block (releases()), the first release on each path
(_first_release()), further gets balanced against puts (balance_gets()),
and the text rule that stands in for cocci/released.cocci
(text_released_same_block(), loop_releases()).
"""

import re

from .apis import GETTERS
from .ctext import (IDENT, _branch, enclosing_blocks, enclosing_loop,
                    match_paren, match_paren_back, mentions,
                    statements_at_depth1)


def _calls(text, fnames, names):
    """(start, end) of the calls of fnames in text that pass one of names
    (or something made of it: "page_folio(page)")."""
    out = []
    for m in re.finditer(r'\b(' + '|'.join(sorted(fnames)) + r')\s*\(',
                         text):
        o = text.index('(', m.end() - 1)
        c = match_paren(text, o)
        if c > 0 and mentions(text[o + 1:c], names):
            out.append((m.start(), c + 1))
    return out


def _release_call(text, names, releasers):
    return bool(_calls(text, releasers, names))


_EXIT = re.compile(r'\b(return|goto|break|continue)\b')


def releases(block, rel, names, releasers, results=None):
    """Does every path through the statements of block ('{...}') that follow
    the one holding offset rel (all of them when rel < 0) release one of
    names before leaving the block?  Understands if/else with a release in
    both branches and "if (page) put_page(page)"; loops and switches are
    not trusted to release."""
    started = rel < 0
    for a, b, s in statements_at_depth1(block):
        if not started:
            started = a <= rel < b
            continue
        lead = re.sub(r'^(\s*' + IDENT + r'\s*:(?!:))+', '', s).lstrip()
        if re.match(r'if\s*\(', lead):
            o = lead.index('(')
            c = match_paren(lead, o)
            if c < 0:
                continue
            test_of_result = results is None or \
                mentions(lead[o + 1:c], results)
            e1, s1 = _branch(lead, c + 1)
            m = re.match(r'\s*else\b', lead[e1:])
            if m:
                _, s2 = _branch(lead, e1 + m.end())
                if _branch_releases(s1, names, releasers) and \
                        _branch_releases(s2, names, releasers):
                    return True
            elif tests_only(lead[o + 1:c], names) and \
                    _branch_releases(s1, names, releasers) and \
                    not handed_over(block, rel, names):
                return True
            elif re.fullmatch(r'\s*\{?\s*(break|continue)\s*;\s*\}?\s*',
                              s1):
                return False    # leaves the loop with the reference
            elif not test_of_result and \
                    re.search(r'\breturn\b', s1) and \
                    not _branch_releases(s1, names, releasers):
                # returns with the reference (s390's zPCI: "if (!rc)
                # {... return rc; }" before the unpin of the error path);
                # the test of the call's result right after it took none
                return False
            continue
        if re.match(r'(for|while|switch|do)\b|\{', lead):
            continue
        if _release_call(s, names, releasers):
            return True
        if _EXIT.match(lead):
            return False
    return False


TEST_WORDS = {'NULL', 'IS_ERR', 'IS_ERR_OR_NULL', 'WARN_ON', 'WARN_ON_ONCE',
              'likely', 'unlikely'}


def tests_only(cond, names):
    """Is cond a plain test that one of names holds a reference ("page",
    "page != NULL", "!IS_ERR_OR_NULL(page)", "!WARN_ON_ONCE(!page)")?
    "ret && map->page" is not: the release hangs on something else too."""
    for n in names:
        if not mentions(cond, {n}):
            continue
        e = re.escape(n)
        pos = re.sub(r'!\s*(?:WARN_ON(?:_ONCE)?\s*\(\s*!\s*' + e + r'\s*\)|'
                     r'IS_ERR(?:_OR_NULL)?\s*\(\s*' + e + r'\s*\))', n, cond)
        if re.search(r'!\s*\(?\s*' + e + r'\b|' + e + r'\s*==|'
                     r'(?<!!)\bIS_ERR\w*\s*\(\s*' + e + r'\b', pos):
            continue            # "if (!page)": the branch without it
        rest = re.sub(r'(?<![\w>.])' + re.escape(n) + r'\b(?:\s*->\s*' +
                      IDENT + r')*', ' ', pos)
        if re.search(r'&&|\|\||[<>]|==', rest):
            continue
        if set(re.findall(IDENT, rest)) <= TEST_WORDS:
            return True
    return False


def handed_over(block, rel, names):
    """Is one of names stored in an object and then set to NULL after rel
    ("obj->pages = pages; pages = NULL;"), so that a later "if (pages)
    put..." does not release it?"""
    text = block[max(rel, 0):]
    for n in names:
        e = re.escape(n)
        m = re.search(r'(?<![\w>.])' + e + r'\s*=\s*(NULL|0)\s*;', text)
        if m and re.search(r'(->|\.)\s*' + IDENT + r'\s*(\[[^\]]*\]\s*)?=\s*' +
                           e + r'\s*;', text[:m.start()]):
            return True
    return False


def _branch_releases(s, names, releasers):
    s = s.strip()
    if s.startswith('{'):
        return releases(s, -1, names, releasers)
    return releases('{' + s + '}', -1, names, releasers)


def _first_release(block, rel, names, releasers):
    """The first release of names on each path through the statements of
    block ('{...}') after the one holding offset rel (all of them when rel
    < 0): (how, spans), spans the offsets in block of those releases, how
    'fall' when every path releases and one goes on past the block, 'exit'
    when every path releases and leaves (return, goto, break, continue),
    'none' when the paths that release leave and the others reach the end
    of the block without a release; None when a path leaves without one,
    or releases on some paths only and goes on, or releases in a loop or
    switch (which cannot be counted)."""
    spans = []
    started = rel < 0
    skip = 0
    stmts = statements_at_depth1(block)
    for k, (a, b, s) in enumerate(stmts):
        if not started:
            started = a <= rel < b
            continue
        if a < skip:
            continue            # the "else" after "if (...) stmt;"
        lead = re.sub(r'^(\s*' + IDENT + r'\s*:(?!:))+', '', s).lstrip()
        at = b - len(lead)
        if re.match(r'if\s*\(', lead):
            skip, lead = _branch(block, at)
            o = lead.index('(')
            c = match_paren(lead, o)
            if c < 0:
                return None
            e1, s1 = _branch(lead, c + 1)
            branches = [(e1 - len(s1), s1)]
            m = re.match(r'\s*else\b', lead[e1:])
            if m:
                e2, s2 = _branch(lead, e1 + m.end())
                branches.append((e2 - len(s2), s2))
            hows = []
            for bo, bs in branches:
                wrap = 0 if bs.startswith('{') else 1
                r = _first_release('{' * wrap + bs + '}' * wrap, -1, names,
                                   releasers)
                if r is None:
                    return None
                hows.append(r[0])
                spans += [(at + bo + x - wrap, at + bo + y - wrap)
                          for x, y in r[1]]
            if len(branches) == 1 and not (
                    tests_only(lead[o + 1:c], names) and hows[0] != 'none'):
                hows.append('none')     # "if (page) put_page(page)" is one
            if set(hows) == {'exit'}:
                return 'exit', spans
            if 'none' not in hows:
                return 'fall', spans
            if 'fall' in hows:
                return None
            continue
        if lead.startswith('{'):
            r = _first_release(lead, -1, names, releasers)
            if r is None:
                return None
            spans += [(at + x, at + y) for x, y in r[1]]
            if r[0] != 'none':
                return r[0], spans
            continue
        if re.match(r'(for|while|switch|do)\b', lead):
            if _release_call(lead, names, releasers) or \
                    re.search(r'\b(return|goto)\b', lead):
                return None
            continue
        calls = _calls(s, releasers, names)
        if calls:
            spans.append((a + calls[0][0], a + calls[0][1]))
            leaves = any(_EXIT.match(t.lstrip()) for _, _, t in stmts[k + 1:])
            return ('exit' if leaves else 'fall'), spans
        if _EXIT.match(lead):
            return None
    return 'none', spans


def blank_calls(text, spans):
    """text with the calls at spans (start, end) made a '0' of the same
    length (newlines kept)."""
    for a, b in sorted(spans, reverse=True):
        text = text[:a] + '0' + re.sub(r'[^\n]', ' ', text[a + 1:b]) + \
            text[b:]
    return text


def balance_gets(body, start, end, names, releasers):
    """Count the references on the page names carry after offset start of
    a function body (up to end, where the variable carries another one):
    each further get of it (get_page(), folio_get(), ...: GETTERS) is
    balanced by the first release that follows it on every path, before
    any way out.  (pairs, None), pairs the (get, [releases]) spans (start,
    end) to leave out, so that the release of the page call's own
    reference is looked for in what is left; (pairs, get) when no release
    balances that get on some path: there are more gets than puts, the
    reference is kept."""
    view, pairs = body, []
    for ga, gb in _calls(body[start:end], GETTERS, names):
        ga, gb = start + ga, start + gb
        blocks = enclosing_blocks(view, ga) + [(0, len(view) - 1)]
        a, b = blocks[0]
        owner = [st for st in statements_at_depth1(view[a:b + 1])
                 if st[0] <= ga - a < st[1]]
        if not owner or a + owner[0][1] - len(owner[0][2].lstrip()) != ga:
            return pairs, (ga, gb)      # not a statement: conditional
        out, rel = [], ga
        for a, b in blocks:
            r = _first_release(view[a:b + 1], rel - a, names, releasers)
            if r is None:
                return pairs, (ga, gb)
            out += [(a + x, a + y) for x, y in r[1]]
            if r[0] != 'none':
                break
            loop = enclosing_loop(view, a + 1)
            if a == 0 or (loop and loop[0] == a):
                return pairs, (ga, gb)  # round a loop or out without one
            rel = a     # on after this block, in the enclosing one
        view = blank_calls(view, [(ga, gb)] + out)
        pairs.append(((ga, gb), out))
    return pairs, None


def text_released_same_block(func, off, x, releasers, text=None):
    """Text fallback for the Coccinelle rule: after the call (and the test
    of its result right after it, if any), a release of x comes before any
    return or goto.  text: the file's text, by default func's own."""
    body = text or func.src.text
    end = body.find(';', off)
    if end < 0 or end > func.end:
        return False
    rest = body[end + 1:func.end]
    m = re.match(r'\s*if\s*\(', rest)
    if m:
        o = rest.index('(', m.start())
        c = match_paren(rest, o)
        if c > 0:
            j = c + 1
            while j < len(rest) and rest[j] in ' \t\n':
                j += 1
            if j < len(rest) and rest[j] == '{':
                k = match_paren(rest, j, '{', '}')
            else:
                k = rest.find(';', j)
            if k > 0:
                rest = rest[k + 1:]
    depth = 0
    rel_re = re.compile(r'(' + '|'.join(sorted(releasers)) + r')\s*\(')
    for i, c in enumerate(rest):
        if c == '{':
            depth += 1
        elif c == '}':
            depth -= 1
            if depth < 0:
                return False
        word_start = i == 0 or not (rest[i - 1].isalnum() or
                                    rest[i - 1] == '_')
        if not word_start:
            continue
        if re.match(r'(return|goto|break|continue)\b', rest[i:i + 9]):
            return False
        if depth == 0 and re.match(r'(for|while)\s*\(', rest[i:]) and \
                loop_releases(rest, i, x, releasers):
            return True
        if depth == 0:
            m = rel_re.match(rest, i)
            if m and not conditional_at(rest, i, x):
                o = m.end() - 1
                c2 = match_paren(rest, o)
                if c2 > 0 and mentions(rest[o + 1:c2], {x}):
                    return True
    return False


def conditional_at(text, i, x):
    """Is the statement at text[i] the branch of an "if (...)" or "else"
    without braces, other than "if (x) ..." (a plain test of x)?"""
    prev = text[:i].rstrip()
    if re.search(r'\belse$', prev):
        return True
    if not prev.endswith(')'):
        return False
    j = match_paren_back(prev, len(prev) - 1)
    if j >= 0 and re.search(r'\bif\s*$', prev[:j]):
        return not tests_only(prev[j + 1:-1], {x})
    return False


def loop_releases(text, i, x, releasers):
    """Does the loop at text[i] ("for (...) {...}") release x (or x[i])
    in every iteration: a release at the top level of its body, before
    any exit from it?"""
    o = text.index('(', i)
    c = match_paren(text, o)
    if c < 0:
        return False
    j = c + 1
    while j < len(text) and text[j] in ' \t\n':
        j += 1
    if j >= len(text) or text[j] != '{':
        return False
    e = match_paren(text, j, '{', '}')
    if e < 0:
        return False
    for _, _, st in statements_at_depth1(text[j:e + 1]):
        lead = st.strip()
        if _EXIT.match(lead) or re.match(r'(if|for|while|switch|do)\b',
                                         lead):
            if re.search(r'\b(return|goto|break)\b', lead):
                return False
            continue
        if _release_call(st, {x}, releasers):
            return True
    return False
