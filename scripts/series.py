#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""series.py - write KVER's series for sending, as the person who sends them.

make series [KVER=7.3] [OUT=out/series-7.3]

The kit keeps its patches under a placeholder identity ("pinkit developers
<devel@pinkit.invalid>"), which no list takes: the DCO wants a person.  This
writes every series meant for a mailing list with the submitter's identity
in From:, Signed-off-by: and the cover letter's shortlog:

  - a directory of kernel/patches/<ver>, kernel/patches/<ver>-fork or
    drivers/patches/<ver> with a 0000-cover-letter.patch: the cover letter
    and the numbered patches its series file lists, the cover letter's To:
    and Cc: replaced by what the kernel's scripts/get_maintainer.pl says for
    those patches (maintainers To:, everyone else Cc:);
  - the drivers' separate-* patches, each group (a lone [PATCH], or
    [PATCH 1/n] .. [PATCH n/n]) in a directory of its own.

Kit-only patches (kit-*, the -kit directories, backports marked
"[ pinkit: ... ]") are never written.  Each written patch is then checked
with the kernel's checkpatch.pl --strict; the source has no git history,
so a warning that only says a commit id is unknown is counted apart.  The
identity: SUBMITTER_NAME / SUBMITTER_EMAIL, else git's user.name /
user.email.  Nothing is sent: the last lines are the git send-email
commands to use.
"""
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PLACEHOLDER = 'pinkit developers <devel@pinkit.invalid>'
RESERVED = ('.invalid', '.example', '.test', '.localhost', '.local')


def die(msg):
    print(f'pinkit: error: {msg}', file=sys.stderr)
    sys.exit(1)


def note(msg):
    print(f'pinkit: {msg}', file=sys.stderr)


def identity():
    """The submitter as 'Name <address>', or die saying how to set it."""
    def git(key):
        r = subprocess.run(['git', '-C', ROOT, 'config', key],
                           capture_output=True, text=True)
        return r.stdout.strip()
    name = os.environ.get('SUBMITTER_NAME') or git('user.name')
    mail = os.environ.get('SUBMITTER_EMAIL') or git('user.email')
    how = ("set yours: git config --global user.name 'Your Name'; "
           "git config --global user.email you@your.domain "
           "(or SUBMITTER_NAME=... SUBMITTER_EMAIL=... for this run)")
    if not name or not mail:
        die(f'make series needs your name and address for From: and '
            f'Signed-off-by:; {how}')
    if f'{name} <{mail}>' == PLACEHOLDER or mail.endswith(RESERVED) or \
            '@' not in mail or re.search(r'[<>\n]', name + mail):
        die(f'"{name} <{mail}>" cannot sign off a patch (the DCO needs a '
            f'person at an address that answers); {how}')
    return f'{name} <{mail}>', name


def series_files(d):
    """The patch files a series file lists, in order."""
    with open(os.path.join(d, 'series')) as f:
        return [l.strip() for l in f
                if l.strip() and not l.startswith('#')]


def numbered(subject_line):
    """(n, m) of '[PATCH ... n/m]', (1, 1) of a lone '[PATCH]'."""
    m = re.search(r'\[PATCH[^\]]*?(\d+)/(\d+)\]', subject_line)
    return (int(m.group(1)), int(m.group(2))) if m else (1, 1)


def subject(path):
    with open(path) as f:
        for line in f:
            if line.startswith('Subject:'):
                return line
    return ''


def groups(ver):
    """[(name, [paths])] of every series of ver meant for a list."""
    out = []
    for d in (f'kernel/patches/{ver}', f'kernel/patches/{ver}-fork',
              f'drivers/patches/{ver}'):
        full = os.path.join(ROOT, d)
        if not os.path.isfile(os.path.join(full, 'series')):
            continue
        files = series_files(full)
        if os.path.isfile(os.path.join(full, '0000-cover-letter.patch')):
            nums = [f for f in files if re.match(r'\d{4}-', f)]
            out.append((d.split('/', 1)[0] + '-' + os.path.basename(d),
                        [os.path.join(full, f) for f in
                         ['0000-cover-letter.patch'] + nums]))
        cur = []
        for f in (f for f in files if f.startswith('separate-')):
            n, m = numbered(subject(os.path.join(full, f)))
            if n == 1:
                cur = []
                slug = re.sub(r'^separate-|\.patch$', '', f)[:40]
                out.append((f'drivers-{ver}-{slug}', cur))
            cur.append(os.path.join(full, f))
    return out


def headers_end(lines):
    for i, l in enumerate(lines):
        if l == '\n':
            return i
    return len(lines)


def rewrite(text, who, name, to=None, cc=None):
    """text with the placeholder identity replaced by who (and, for a
    cover letter, To:/Cc: replaced)."""
    lines = text.splitlines(keepends=True)
    end = headers_end(lines)
    head, body = lines[:end], lines[end:]
    if to is not None:
        kept, skip = [], False
        for l in head:
            if re.match(r'(To|Cc):', l):
                skip = True
                continue
            if skip and l[:1] in ' \t':
                continue
            skip = False
            kept.append(l)
        head = kept
        if to:
            head.append('To: ' + ',\n '.join(to) + '\n')
        if cc:
            head.append('Cc: ' + ',\n '.join(cc) + '\n')
    head = [f'From: {who}\n' if l == f'From: {PLACEHOLDER}\n' else l
            for l in head]
    short = re.compile(r'^pinkit developers \((\d+)\):$')
    out = []
    for l in body:
        if l.rstrip('\n') == f'Signed-off-by: {PLACEHOLDER}':
            l = f'Signed-off-by: {who}\n'
        elif short.match(l.rstrip('\n')):
            l = f'{name} ({short.match(l.rstrip()).group(1)}):\n'
        out.append(l)
    return ''.join(head + out)


def source(ver):
    r = subprocess.run(['bash', '-c', f'. "{ROOT}/scripts/lib.sh"; '
                        f'pristine_source "{ver}"'],
                       capture_output=True, text=True)
    if r.returncode:
        sys.stderr.write(r.stderr)
        die(f'no Linux {ver} source to run get_maintainer.pl and '
            f'checkpatch.pl from')
    return r.stdout.strip()


def get_maintainer(src, args):
    """get_maintainer.pl of the source at src, with roles, without git."""
    return subprocess.run(['perl', 'scripts/get_maintainer.pl', '--no-git',
                           '--no-git-fallback', '--rolestats'] + args,
                          cwd=src, capture_output=True, text=True)


def recipients(src, patches):
    """(to, cc) for patches from get_maintainer.pl, in its order."""
    r = get_maintainer(src, patches)
    if r.returncode:
        die(f'get_maintainer.pl failed: {r.stderr.strip()}')
    to, cc = [], []
    for l in r.stdout.splitlines():
        m = re.match(r'(.*?) \((.*)\)$', l.strip())
        addr, role = (m.group(1), m.group(2)) if m else (l.strip(), '')
        if not addr:
            continue
        (to if role.startswith('maintainer') else cc).append(addr)
    return to, [a for a in cc if a not in to]


def maintained(src, path):
    """Does MAINTAINERS give the file at path a maintainer?"""
    r = get_maintainer(src, ['-f', os.path.dirname(path) + '/'])
    return '(maintainer:' in r.stdout


def checkpatch(src, path):
    """(real findings, excused warnings, the report).  Excused: a commit id
    checkpatch cannot look up (the Debian source has no git history), and
    "does MAINTAINERS need updating?" for new files whose directory
    MAINTAINERS already covers."""
    r = subprocess.run(['perl', 'scripts/checkpatch.pl', '--strict', path],
                       cwd=src, capture_output=True, text=True)
    rep = r.stdout
    found = re.findall(r'^(ERROR|WARNING|CHECK): (.*)$', rep, re.M)
    with open(path) as f:
        new = re.findall(r'^diff --git a/\S+ b/(\S+)\nnew file mode',
                         f.read(), re.M)
    covered = bool(new) and all(maintained(src, n) for n in new)
    excused = [f for f in found
               if f[1].startswith('Unknown commit id') or
               (covered and 'does MAINTAINERS need updating' in f[1])]
    return len(found) - len(excused), len(excused), rep


def main():
    ver = os.environ.get('KVER') or '7.3'
    who, name = identity()
    out = os.environ.get('OUT') or os.path.join(ROOT, 'out', f'series-{ver}')
    gs = groups(ver)
    if not gs:
        die(f'KVER={ver} has no series meant for a list (no '
            f'0000-cover-letter.patch or separate-* patch under '
            f'kernel/patches/{ver}* or drivers/patches/{ver})')
    src = source(ver)
    bad = 0
    sends = []
    for gname, files in gs:
        d = os.path.join(out, gname)
        os.makedirs(d, exist_ok=True)
        for old in os.listdir(d):
            if old.endswith('.patch'):
                os.unlink(os.path.join(d, old))
        cover = files[0].endswith('0000-cover-letter.patch')
        to, cc = recipients(src, files[1:] if cover else files)
        written = []
        for i, f in enumerate(files):
            with open(f) as fh:
                text = fh.read()
            if '[ pinkit:' in text:
                die(f'{f} carries a "[ pinkit: ... ]" note: a kit patch '
                    f'cannot go to a list; move it out of the series or '
                    f'drop the note')
            # without a cover letter every patch carries the recipients
            head = not cover or i == 0
            text = rewrite(text, who, name, to if head else None,
                           cc if head else None)
            if PLACEHOLDER in text:
                die(f'{f}: the placeholder identity is left in a line '
                    f'series.py does not rewrite; fix the file')
            dst = os.path.join(d, os.path.basename(f))
            with open(dst, 'w') as fh:
                fh.write(text)
            written.append(dst)
        findings = unknown = 0
        print(f'pinkit: checking {len(written)} files of {gname} with '
              f'checkpatch.pl --strict ...', file=sys.stderr)
        for w in written:
            if w.endswith('0000-cover-letter.patch'):
                continue
            n, u, rep = checkpatch(src, w)
            findings += n
            unknown += u
            if n:
                bad = 1
                print(f'checkpatch --strict {os.path.basename(w)}:')
                print(rep)
        rel = os.path.relpath(d)
        if rel.startswith('..'):
            rel = d
        print(f'{rel}: {len(written)} files as {who}; checkpatch --strict: '
              f'{findings} findings ({unknown} excused: unknown commit ids, '
              f'new files MAINTAINERS covers); To: {len(to)}, Cc: {len(cc)} '
              f'from get_maintainer.pl' +
              ('' if cover else ', in every patch (no cover letter)'))
        sends.append(f'git send-email {"--to-cover --cc-cover " if cover else ""}'
                     f'{rel}/*.patch')
    print('not sent; to send, after reading each cover letter:')
    for s in sends:
        print('  ' + s)
    return bad


if __name__ == '__main__':
    sys.exit(main())
