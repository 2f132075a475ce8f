# SPDX-License-Identifier: GPL-2.0
"""The kernel's names the audit looks for: the notifier calls and ops,
the page APIs with the place of their pages argument, the core releasers
and getters; the directories and files of a tree it leaves out.
"""


# Directories of a kernel tree that hold no kernel code.
TREE_EXCLUDES = ['.git', 'tools', 'Documentation', 'scripts', 'samples',
                 'usr', 'debian', 'LICENSES']
# The notifier and HMM implementations themselves.
CORE_FILES = {'mm/mmu_notifier.c', 'mm/hmm.c'}

NOTIFIER_CALLS = ['mmu_interval_notifier_insert',
                  'mmu_interval_notifier_insert_locked',
                  'mmu_notifier_register', '__mmu_notifier_register',
                  'mmu_notifier_get', 'mmu_notifier_get_locked']
NOTIFIER_OPS = ['mmu_notifier_ops', 'mmu_interval_notifier_ops']

# Page APIs: name -> {number of arguments: index of the pages argument}, or
# 'ret' when the page comes back as the return value.  Signatures from 4.9
# on; where two generations have the same arity the newer one wins.
GET_APIS = {
    'get_user_pages': {4: 3, 5: 3},
    'get_user_pages_fast': {4: 3},
    'get_user_pages_fast_only': {4: 3},
    '__get_user_pages_fast': {4: 3},
    'get_user_page_fast_only': {3: 2},
    'get_user_pages_unlocked': {4: 2},
    'get_user_pages_locked': {5: 3},
    'get_user_pages_longterm': {5: 3},
    'get_user_pages_remote': {6: 4, 7: 4, 8: 5},
    'get_user_page_vma_remote': 'ret',
}
PIN_APIS = {
    'pin_user_pages': {4: 3, 5: 3},
    'pin_user_pages_fast': {4: 3},
    'pin_user_pages_fast_only': {4: 3},
    'pin_user_pages_unlocked': {4: 2},
    'pin_user_pages_locked': {5: 3},
    'pin_user_pages_remote': {6: 4, 7: 4},
    'memfd_pin_folios': {6: 3},
}
HMM_APIS = ['hmm_range_fault', 'hmm_range_fault_unlocked_timeout']

CORE_RELEASERS = ['put_page', 'folio_put', 'folio_put_refs', 'release_pages',
                  'put_user_page', 'put_user_pages',
                  'put_user_pages_dirty_lock', 'page_cache_release',
                  'unpin_user_page', 'unpin_user_pages',
                  'unpin_user_pages_dirty_lock',
                  'unpin_user_page_range_dirty_lock', 'unpin_folio',
                  'unpin_folios']

# Calls that take one more reference on a page the caller already holds:
# counted against the releases after an acquisition (balance_gets()).
GETTERS = ['get_page', 'folio_get', 'page_ref_inc', 'folio_ref_inc']
