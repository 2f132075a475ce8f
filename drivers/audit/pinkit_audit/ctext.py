# SPDX-License-Identifier: GPL-2.0
"""C text helpers: comments, strings and preprocessor lines are blanked
(strip_c(); newlines kept, so offsets and line numbers stay those of the
file); brackets, argument lists, statements and the blocks and loops around
an offset.
"""

import re


KEYWORDS = {'if', 'for', 'while', 'switch', 'return', 'sizeof', 'do',
            'else', 'case', 'goto', 'typeof', '__typeof__', 'defined'}
ANNOTATIONS = re.compile(r'^__\w+$')
IDENT = r'[A-Za-z_]\w*'


_TOKEN = re.compile(r'//[^\n]*|/\*.*?\*/|"(?:\\.|[^"\\\n])*"|'
                    r"'(?:\\.|[^'\\\n])*'", re.S)


def _blank(m):
    s = m.group(0)
    if s.startswith('"'):
        return '""' + ''.join('\n' if c == '\n' else ' ' for c in s[2:])
    if s.startswith("'"):
        return "' '" + ' ' * (len(s) - 3) if len(s) >= 3 else s
    return ''.join('\n' if c == '\n' else ' ' for c in s)


def strip_c(text):
    text = _TOKEN.sub(_blank, text)
    out = []
    cont = False
    for line in text.split('\n'):
        if cont or line.lstrip().startswith('#'):
            cont = line.rstrip().endswith('\\')
            out.append(' ' * len(line))
        else:
            out.append(line)
    return '\n'.join(out)


def match_paren(s, i, open_c='(', close_c=')'):
    """Index of the bracket closing the one at s[i], or -1."""
    depth = 0
    for j in range(i, len(s)):
        c = s[j]
        if c == open_c:
            depth += 1
        elif c == close_c:
            depth -= 1
            if depth == 0:
                return j
    return -1


def match_paren_back(s, i):
    """Index of the '(' opening the ')' at s[i], or -1."""
    depth = 0
    for j in range(i, -1, -1):
        if s[j] == ')':
            depth += 1
        elif s[j] == '(':
            depth -= 1
            if depth == 0:
                return j
    return -1


def split_args(s):
    """Split an argument list on its top-level commas."""
    args, depth, cur = [], 0, []
    for c in s:
        if c in '([{':
            depth += 1
        elif c in ')]}':
            depth -= 1
        if c == ',' and depth == 0:
            args.append(''.join(cur).strip())
            cur = []
        else:
            cur.append(c)
    last = ''.join(cur).strip()
    if last or args:
        args.append(last)
    return args


def mentions(expr, names):
    for n in names:
        if re.search(r'(?<![\w>.])' + re.escape(n) + r'\b', expr):
            return True
    return False


def line_offset(text, ln):
    off = 0
    for _ in range(ln - 1):
        off = text.index('\n', off) + 1
    return off


def prefix_of(text, off, floor):
    """Text of the current statement before off."""
    i = off - 1
    depth = 0
    while i > floor:
        c = text[i]
        if c == ')':
            depth += 1
        elif c == '(':
            if depth == 0:
                break
            depth -= 1
        elif c in ';{}' and depth == 0:
            break
        i -= 1
    return text[i + 1:off]


def enclosing_aggregate(text, off):
    """'struct X' / 'union X' whose body contains off, at any depth."""
    depth = 0
    i = off
    while i > 0:
        i -= 1
        c = text[i]
        if c == '}':
            depth += 1
        elif c == '{':
            if depth == 0:
                h = text[max(0, i - 200):i]
                m = re.search(r'\b(struct|union)\s*(' + IDENT + r')?\s*$', h)
                if m:
                    return (m.group(1) + ' ' + (m.group(2) or '(anonymous)'))
                if re.search(r'=\s*$', h):
                    return None
                continue
            depth -= 1
    return None


def statements_at_depth1(body):
    """(start, end, text) of the statements directly in a function body."""
    out = []
    depth = 0
    start = 1
    i = 1
    n = len(body) - 1
    while i < n:
        c = body[i]
        if c in '({[':
            depth += 1
        elif c in ')}]':
            depth -= 1
            if depth == 0 and c == '}':
                j = i + 1
                while j < n and body[j] in ' \t\n':
                    j += 1
                if not body.startswith('while', j) and \
                        not body.startswith('else', j):
                    out.append((start, i + 1, body[start:i + 1]))
                    start = i + 1
        elif c == ';' and depth == 0:
            out.append((start, i + 1, body[start:i + 1]))
            start = i + 1
        i += 1
    return out


def _branch(text, i):
    """(end, branch text) of the statement or block starting at text[i:]."""
    while i < len(text) and text[i] in ' \t\n':
        i += 1
    if i < len(text) and text[i] == '{':
        e = match_paren(text, i, '{', '}')
        return (e + 1, text[i:e + 1]) if e > 0 else (len(text), text[i:])
    if re.match(r'if\s*\(', text[i:]):
        o = text.index('(', i)
        c = match_paren(text, o)
        e, _ = _branch(text, c + 1)
        m = re.match(r'\s*else\b', text[e:])
        if m:
            e, _ = _branch(text, e + m.end())
        return e, text[i:e]
    depth = 0
    for j in range(i, len(text)):
        if text[j] in '([{':
            depth += 1
        elif text[j] in ')]}':
            depth -= 1
        elif text[j] == ';' and depth == 0:
            return j + 1, text[i:j + 1]
    return len(text), text[i:]


def enclosing_blocks(body, rel):
    """(start, end) of the '{...}' blocks around offset rel, innermost
    first, the function body itself left out."""
    out = []
    depth = 0
    for i in range(rel - 1, 0, -1):
        c = body[i]
        if c == '}':
            depth += 1
        elif c == '{':
            if depth == 0:
                e = match_paren(body, i, '{', '}')
                if e > 0:
                    out.append((i, e))
            else:
                depth -= 1
    return out


def statement_end(body, rel):
    """Offset just after the statement of the innermost block of body that
    holds offset rel (an if/else chain is one statement)."""
    blocks = enclosing_blocks(body, rel)
    a, b = blocks[0] if blocks else (0, len(body) - 1)
    for sa, sb, _ in statements_at_depth1(body[a:b + 1]):
        if sa <= rel - a < sb:
            j = a + sb
            while True:
                m = re.match(r'\s*else\b', body[j:])
                if not m:
                    return j
                j, _ = _branch(body, j + m.end())
    return rel


def enclosing_loop(body, rel):
    """The body block ('{...}') of the innermost loop around offset rel."""
    best = None
    for m in re.finditer(r'\b(for|while)\s*\(|\bdo\s*\{', body):
        if m.group(1):
            o = body.index('(', m.start())
            c = match_paren(body, o)
            if c < 0:
                continue
            j = c + 1
            while j < len(body) and body[j] in ' \t\n':
                j += 1
            if j >= len(body) or body[j] != '{':
                continue        # do { } while (...); or a one-line loop
        else:
            j = body.index('{', m.start())
        e = match_paren(body, j, '{', '}')
        if e > 0 and j < rel < e and (best is None or j > best[0]):
            best = (j, e)
    return best
