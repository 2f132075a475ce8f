# SPDX-License-Identifier: GPL-2.0
"""What carries a reference in C text: expressions made of it
(derived_expr(), aliases()), a pointer set once to a member
(pointer_target()), a helper's store seen from its caller (in_caller());
and the branch of "if (p->field)" a call sits in (branch_cond(),
struct_init(), member_value()).
"""

import re

from .ctext import IDENT, _branch, match_paren, mentions


CONVERTERS = {'page_address', 'kmap', 'kmap_local_page', 'kmap_atomic',
              'folio_page', 'page_folio', 'compound_head', 'nth_page',
              'kmap_local_pfn'}
_CAST = re.compile(r'\(\s*(?:(?:const|volatile|unsigned|signed|struct|union)'
                   r'\s+)*' + IDENT + r'(?:\s*\*)*\s*\)(?=\s*[\w(&])')


def derived_expr(expr, names):
    """Is expr the reference itself, or a page/pfn/address converted from
    one of names (casts, offsets, pfn_to_page(), page_address(), ...)?"""
    e = _CAST.sub(' ', expr)
    if not mentions(e, names):
        return False
    for n in names:
        if re.search(r'(?<![\w>.])' + re.escape(n) + r'\s*(?:->|\.)', e):
            return False        # a field of the carrier, not the page
    for m in re.finditer(r'(' + IDENT + r')\s*\(', e):
        fn = m.group(1)
        if '_to_' not in fn and fn not in CONVERTERS:
            return False
    if re.search(r'(?:^|[=(,!~&|+\-?:])\s*\*', e.strip()):
        return False            # a dereference reads data, not the page
    return True


def aliases(body, names, after=0):
    """Locals assigned the reference or a conversion of it, after offset."""
    out = set(names)
    text = body[after:]
    for _ in range(3):
        for m in re.finditer(r'(?<![\w>.\]])(' + IDENT +
                             r')\s*=(?!=)([^;]*);', text):
            if m.group(1) not in out and derived_expr(m.group(2), out):
                out.add(m.group(1))
    return out - set(names)


def pointer_target(body, x, rel):
    """'obj->field' when x is a pointer set once, to &obj->field, before
    offset rel and never changed (6.12's nested_vmx_prepare_msr_bitmap():
    "struct kvm_host_map *map = &vmx->nested.msr_bitmap_map;" ...
    "kvm_vcpu_unmap(vcpu, &vmx->nested.msr_bitmap_map, false)"), obj not
    assigned after it either: a release through obj->field is one
    through x.  None otherwise."""
    e = re.escape(x)
    sets = list(re.finditer(r'(?<![\w>.])' + e + r'\s*=(?!=)\s*([^;]*);',
                            body))
    if len(sets) != 1 or sets[0].start() > rel:
        return None
    m = re.fullmatch(r'\s*&\s*(' + IDENT + r'(?:\s*(?:->|\.)\s*' + IDENT +
                     r')+)\s*', sets[0].group(1))
    if not m:
        return None
    if re.search(r'&\s*' + e + r'\b|(?<![\w>.])' + e +
                 r'\s*(?:\+\+|--|[-+]=)|(?:\+\+|--)\s*' + e + r'\b', body):
        return None                     # moved, or changed through &x
    target = re.sub(r'\s+', '', m.group(1))
    base = re.escape(re.match(IDENT, target).group(0))
    if re.search(r'(?<![\w>.])' + base + r'\s*=(?!=)', body[sets[0].end():]):
        return None
    return target


def in_caller(lhs, param, arg):
    """lhs, written in a helper through its parameter param, in terms of
    the caller that passed arg there; None when arg is not simple."""
    arg = ' '.join(arg.split())
    rest = re.sub(r'^\*?\s*' + re.escape(param), '', lhs, count=1)
    star = '*' if lhs.startswith('*') else ''
    if re.fullmatch(IDENT, arg):
        return star + arg + rest
    m = re.fullmatch(r'&\s*(' + IDENT + r'(?:\s*(?:->|\.)\s*' + IDENT +
                     r')*)', arg)
    if not m:
        return None
    x = m.group(1)
    if star and not rest:
        return x                        # *p = ref with p == &x
    if rest.lstrip().startswith('->'):
        return star + x + '.' + rest.lstrip()[2:].lstrip()
    return None


def struct_init(text, var):
    """The designated initializer of the local struct var in text."""
    m = None
    for m in re.finditer(r'\bstruct\s+' + IDENT + r'\s+' + re.escape(var) +
                         r'\s*=\s*\{', text):
        pass
    if not m:
        return None
    e = match_paren(text, m.end() - 1, '{', '}')
    return text[m.end():e] if e > 0 else None


def member_value(text, var, field, init):
    """True/False when var's boolean member field is known to be set (or
    left zero by a designated initializer) in text, else None."""
    val = None
    if init is not None:
        val = 'false'
        m = re.search(r'\.\s*' + re.escape(field) + r'\s*=\s*([^,}]*)', init)
        if m:
            val = m.group(1).strip()
    for m in re.finditer(r'(?<![\w>.])' + re.escape(var) +
                         r'\s*(?:->|\.)\s*' + re.escape(field) +
                         r'\s*=(?!=)\s*([^;]*);', text):
        val = m.group(1).strip()
    if val in ('true', '1'):
        return True
    if val in ('false', '0', 'NULL'):
        return False
    return None


def branch_cond(func, off):
    """(field, value) when the call at off sits in one branch of
    "if (p->field) A else B" on a parameter p of func, else None."""
    text = func.src.text
    best = None
    for m in re.finditer(r'\bif\s*\(\s*(!?)\s*(' + IDENT + r')\s*->\s*(' +
                         IDENT + r')\s*\)', text[func.start:off]):
        if func.param_index(m.group(2)) < 0:
            continue
        c = func.start + m.end()
        e1, _ = _branch(text, c)
        then = not m.group(1)
        if c <= off < e1:
            best = (m.group(3), then)
            continue
        em = re.match(r'\s*else\b', text[e1:])
        if em:
            e2, _ = _branch(text, e1 + em.end())
            if e1 + em.end() <= off < e2:
                best = (m.group(3), not then)
    return best
